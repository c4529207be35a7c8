//! The cards: one table, [`CARDS`], of every card's id (the `cards=` value, `data-card`), its
//! heading and the API call that feeds it. The default order of the page is the table's. The
//! static skeleton of `index.html` and the README are checked against it by the tests below;
//! adding a card is one row here plus its component (`src/components/`).

/// The API call that fills a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The forecast call (current conditions, hourly, daily).
    Forecast,
    /// The air-quality call.
    AirQuality,
    /// The official-alerts call (the NWS or Bright Sky, by place).
    Alerts,
}

/// One card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Card {
    /// Its id: the value in `cards=`, and its `data-card` attribute.
    pub id: &'static str,
    /// Its heading.
    pub title: &'static str,
    /// The call that fills it.
    pub source: Source,
    /// Whether the page shows it when `cards=` does not list the cards.
    pub default: bool,
}

/// Every card: the default ones in the default order, then those shown only when `cards=`
/// lists them.
pub const CARDS: &[Card] = &[
    card("current", "Now", Source::Forecast, true),
    card("uv", "UV index", Source::Forecast, true),
    card("sun", "Sun", Source::Forecast, true),
    card("wind", "Wind", Source::Forecast, true),
    card("hourly", "Next 24 hours", Source::Forecast, true),
    card("daily", "Next days", Source::Forecast, true),
    card("air", "Air quality", Source::AirQuality, true),
    card("nowcast", "Rain, next 2 hours", Source::Forecast, false),
    card("moon", "Moon", Source::Forecast, false),
    card("alerts", "Alerts", Source::Alerts, false),
];

const fn card(id: &'static str, title: &'static str, source: Source, default: bool) -> Card {
    Card {
        id,
        title,
        source,
        default,
    }
}

/// The cards shown when `cards=` is not given, in order.
pub fn defaults() -> impl Iterator<Item = &'static Card> {
    CARDS.iter().filter(|c| c.default)
}

/// The card with this id.
pub fn find(id: &str) -> Option<&'static Card> {
    CARDS.iter().find(|c| c.id == id)
}

/// The heading of the card `id` (empty for an unknown id).
pub fn title(id: &str) -> &'static str {
    find(id).map_or("", |c| c.title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        for (i, c) in CARDS.iter().enumerate() {
            assert!(CARDS[..i].iter().all(|d| d.id != c.id), "{} twice", c.id);
        }
        assert_eq!(title("air"), "Air quality");
        assert_eq!(title("moon"), "Moon");
        assert_eq!(title("mars"), "");
    }

    #[test]
    fn the_static_skeleton_of_index_html_has_every_card_in_order() {
        let html = include_str!("../../index.html");
        let mut at = 0;
        for c in defaults() {
            let article = format!(
                r#"<article class="card card-{id}" data-card="{id}" data-state="loading""#,
                id = c.id
            );
            let found = html[at..]
                .find(&article)
                .unwrap_or_else(|| panic!("index.html lacks, or misorders, {article}"));
            at += found;
            let heading = format!(
                r#"<h2 class="card-title" id="card-{}-title">{}</h2>"#,
                c.id, c.title
            );
            let next = html[at..].find("</article>").expect("article closed") + at;
            assert!(
                html[at..next].contains(&heading),
                "index.html's {} card lacks {heading}",
                c.id
            );
        }
        assert_eq!(
            html.matches("<article class=\"card ").count(),
            defaults().count(),
            "index.html has a card the table lacks, or one not shown by default"
        );
    }

    #[test]
    fn the_readme_lists_every_card_in_order() {
        let ids: Vec<&str> = CARDS.iter().map(|c| c.id).collect();
        let readme = include_str!("../../README.md");
        assert!(
            readme.contains(&format!("comma-separated, in order: `{}`", ids.join(","))),
            "README's `cards` row does not list {ids:?}"
        );
    }
}
