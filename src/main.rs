//! The dashboard's entry point: see the `isobar` library for everything else.

fn main() {
    isobar::start();
}
