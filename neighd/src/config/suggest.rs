//! "Did you mean …?": the known key nearest to a misspelt one.

/// The candidate within a small edit distance of `word` (at most 1 for
/// words up to 4 characters, 2 up to 8, else 3), the nearest first.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = match word.chars().count() {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance counting an adjacent transposition as one edit
/// (optimal string alignment), over characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // rows[i][j]: distance between a[..i] and b[..j].
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("neighbour", "neighbor"), 1);
        assert_eq!(edit_distance("remtoe_as", "remote_as"), 1);
        assert_eq!(edit_distance("", "asn"), 3);
        assert_eq!(edit_distance("asn", "asn"), 0);
    }

    #[test]
    fn nearest_within_limit() {
        let keys = ["asn", "router_id", "neighbor", "hold_time"];
        assert_eq!(closest("neighbour", &keys), Some("neighbor"));
        assert_eq!(closest("holdtime", &keys), Some("hold_time"));
        assert_eq!(closest("as", &keys), Some("asn"));
        assert_eq!(closest("colour", &keys), None);
    }
}
