//! `/v1/search`: a few dozen real places, matched by name as Open-Meteo matches them.

use serde_json::{json, Map, Value};

/// A place the simulator knows: geonames id, name, latitude, longitude, elevation, feature
/// code, country code, country, first-level area, IANA zone, population.
type PlaceRow = (u32, &'static str, f64, f64, f64, &'static str, &'static str, &'static str, &'static str, &'static str, u32);

/// The places, chosen to cover every kind of time zone: half- and quarter-hour offsets
/// (India, Nepal, Newfoundland, Adelaide, Chatham), both hemispheres, the date line, and the
/// polar circles.
pub const PLACES: &[PlaceRow] = &[
    (2950159, "Berlin", 52.52437, 13.41053, 74.0, "PPLC", "DE", "Germany", "Land Berlin", "Europe/Berlin", 3426354),
    (2643743, "London", 51.50853, -0.12574, 25.0, "PPLC", "GB", "United Kingdom", "England", "Europe/London", 8961989),
    (2988507, "Paris", 48.85341, 2.3488, 42.0, "PPLC", "FR", "France", "Île-de-France", "Europe/Paris", 2138551),
    (2759794, "Amsterdam", 52.37403, 4.88969, 13.0, "PPLC", "NL", "The Netherlands", "North Holland", "Europe/Amsterdam", 741636),
    (2756071, "Enschede", 52.21833, 6.89583, 45.0, "PPL", "NL", "The Netherlands", "Overijssel", "Europe/Amsterdam", 153655),
    (2657896, "Zurich", 47.36667, 8.55, 429.0, "PPLA", "CH", "Switzerland", "Zurich", "Europe/Zurich", 341730),
    (3117735, "Madrid", 40.4165, -3.70256, 667.0, "PPLC", "ES", "Spain", "Madrid", "Europe/Madrid", 3255944),
    (3169070, "Rome", 41.89193, 12.51133, 20.0, "PPLC", "IT", "Italy", "Lazio", "Europe/Rome", 2318895),
    (3143244, "Oslo", 59.91273, 10.74609, 26.0, "PPLC", "NO", "Norway", "Oslo", "Europe/Oslo", 580000),
    (3133895, "Tromsø", 69.6489, 18.95508, 10.0, "PPLA", "NO", "Norway", "Troms", "Europe/Oslo", 52436),
    (2729907, "Longyearbyen", 78.22334, 15.64689, 12.0, "PPLA", "SJ", "Svalbard and Jan Mayen", "Svalbard", "Arctic/Longyearbyen", 2060),
    (2673730, "Stockholm", 59.32938, 18.06871, 17.0, "PPLC", "SE", "Sweden", "Stockholm", "Europe/Stockholm", 1515017),
    (658225, "Helsinki", 60.16952, 24.93545, 26.0, "PPLC", "FI", "Finland", "Uusimaa", "Europe/Helsinki", 558457),
    (3413829, "Reykjavík", 64.13548, -21.89541, 21.0, "PPLC", "IS", "Iceland", "Capital Region", "Atlantic/Reykjavik", 118918),
    (524901, "Moscow", 55.75222, 37.61556, 144.0, "PPLC", "RU", "Russia", "Moscow", "Europe/Moscow", 10381222),
    (745044, "Istanbul", 41.01384, 28.94966, 39.0, "PPLA", "TR", "Türkiye", "Istanbul", "Europe/Istanbul", 14804116),
    (360630, "Cairo", 30.06263, 31.24967, 23.0, "PPLC", "EG", "Egypt", "Cairo", "Africa/Cairo", 9606916),
    (2332459, "Lagos", 6.45407, 3.39467, 4.0, "PPLA", "NG", "Nigeria", "Lagos", "Africa/Lagos", 9000000),
    (184745, "Nairobi", -1.28333, 36.81667, 1661.0, "PPLC", "KE", "Kenya", "Nairobi County", "Africa/Nairobi", 2750547),
    (3369157, "Cape Town", -33.92584, 18.42322, 11.0, "PPLA", "ZA", "South Africa", "Western Cape", "Africa/Johannesburg", 3433441),
    (292223, "Dubai", 25.07725, 55.30927, 5.0, "PPLA", "AE", "United Arab Emirates", "Dubai", "Asia/Dubai", 3790000),
    (1261481, "New Delhi", 28.63576, 77.22445, 216.0, "PPLC", "IN", "India", "Delhi", "Asia/Kolkata", 317797),
    (1275339, "Mumbai", 19.07283, 72.88261, 14.0, "PPLA", "IN", "India", "Maharashtra", "Asia/Kolkata", 12691836),
    (1283240, "Kathmandu", 27.70169, 85.3206, 1317.0, "PPLC", "NP", "Nepal", "Bagmati Province", "Asia/Kathmandu", 1442271),
    (1185241, "Dhaka", 23.7104, 90.40744, 9.0, "PPLC", "BD", "Bangladesh", "Dhaka Division", "Asia/Dhaka", 10356500),
    (1609350, "Bangkok", 13.75398, 100.50144, 12.0, "PPLC", "TH", "Thailand", "Bangkok", "Asia/Bangkok", 5104476),
    (1880252, "Singapore", 1.28967, 103.85007, 15.0, "PPLC", "SG", "Singapore", "Singapore", "Asia/Singapore", 3547809),
    (1819729, "Hong Kong", 22.27832, 114.17469, 7.0, "PPLC", "HK", "Hong Kong", "Hong Kong", "Asia/Hong_Kong", 7012738),
    (1816670, "Beijing", 39.9075, 116.39723, 49.0, "PPLC", "CN", "China", "Beijing", "Asia/Shanghai", 18960744),
    (1835848, "Seoul", 37.566, 126.9784, 38.0, "PPLC", "KR", "South Korea", "Seoul", "Asia/Seoul", 10349312),
    (1850147, "Tokyo", 35.6895, 139.69171, 44.0, "PPLC", "JP", "Japan", "Tokyo", "Asia/Tokyo", 8336599),
    (2147714, "Sydney", -33.86785, 151.20732, 58.0, "PPLA", "AU", "Australia", "New South Wales", "Australia/Sydney", 4627345),
    (2078025, "Adelaide", -34.92866, 138.59863, 48.0, "PPLA", "AU", "Australia", "South Australia", "Australia/Adelaide", 1225235),
    (2193733, "Auckland", -36.84853, 174.76349, 26.0, "PPLA", "NZ", "New Zealand", "Auckland", "Pacific/Auckland", 417910),
    (4032804, "Waitangi", -43.95353, -176.55973, 6.0, "PPLA", "NZ", "New Zealand", "Chatham Islands", "Pacific/Chatham", 300),
    (5856195, "Honolulu", 21.30694, -157.85833, 18.0, "PPLA", "US", "United States", "Hawaii", "Pacific/Honolulu", 371657),
    (5879400, "Anchorage", 61.21806, -149.90028, 31.0, "PPL", "US", "United States", "Alaska", "America/Anchorage", 291826),
    (5880054, "Utqiagvik", 71.29058, -156.78872, 3.0, "PPLA2", "US", "United States", "Alaska", "America/Anchorage", 4212),
    (5368361, "Los Angeles", 34.05223, -118.24368, 89.0, "PPLA2", "US", "United States", "California", "America/Los_Angeles", 3971883),
    (6173331, "Vancouver", 49.24966, -123.11934, 70.0, "PPL", "CA", "Canada", "British Columbia", "America/Vancouver", 600000),
    (4887398, "Chicago", 41.85003, -87.65005, 179.0, "PPLA2", "US", "United States", "Illinois", "America/Chicago", 2720546),
    (3530597, "Mexico City", 19.42847, -99.12766, 2240.0, "PPLC", "MX", "Mexico", "Mexico City", "America/Mexico_City", 12294193),
    (5128581, "New York", 40.71427, -74.00597, 10.0, "PPL", "US", "United States", "New York", "America/New_York", 8804190),
    (6167865, "Toronto", 43.70643, -79.39864, 175.0, "PPLA", "CA", "Canada", "Ontario", "America/Toronto", 2600000),
    (6324733, "St. John's", 47.56494, -52.70931, 71.0, "PPLA", "CA", "Canada", "Newfoundland and Labrador", "America/St_Johns", 99182),
    (3448439, "São Paulo", -23.5475, -46.63611, 769.0, "PPLA", "BR", "Brazil", "São Paulo", "America/Sao_Paulo", 10021295),
    (3435910, "Buenos Aires", -34.61315, -58.37723, 25.0, "PPLC", "AR", "Argentina", "Buenos Aires F.D.", "America/Argentina/Buenos_Aires", 13076300),
];

/// Folds case and the common Latin diacritics, so `sao paulo` finds `São Paulo`.
fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            c => c,
        })
        .collect()
}

/// Answers a search: places whose name starts with `name` (at least two characters, as
/// Open-Meteo requires), most populous first, at most `count`. No match leaves out `results`.
pub fn search(name: &str, count: usize) -> Value {
    let needle = fold(name.trim());
    let mut hits: Vec<&PlaceRow> = if needle.chars().count() < 2 {
        Vec::new()
    } else {
        PLACES.iter().filter(|p| fold(p.1).starts_with(&needle)).collect()
    };
    hits.sort_by_key(|p| std::cmp::Reverse(p.10));
    hits.truncate(count.clamp(1, 100));
    let mut out = Map::new();
    if !hits.is_empty() {
        let results: Vec<Value> = hits
            .iter()
            .map(|p| {
                json!({
                    "id": p.0, "name": p.1, "latitude": p.2, "longitude": p.3, "elevation": p.4,
                    "feature_code": p.5, "country_code": p.6, "timezone": p.9,
                    "population": p.10, "country": p.7, "admin1": p.8,
                })
            })
            .collect();
        out.insert("results".into(), Value::Array(results));
    }
    out.insert("generationtime_ms".into(), json!(0.1));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_match_with_folded_accents() {
        let v = search("sao", 10);
        assert_eq!(v["results"][0]["name"], "São Paulo");
        let v = search("Enschede", 10);
        assert_eq!(v["results"][0]["country_code"], "NL");
        assert!(search("x", 10).get("results").is_none());
        assert!(search("Atlantis", 10).get("results").is_none());
    }
}
