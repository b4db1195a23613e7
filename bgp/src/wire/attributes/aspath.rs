//! AS_PATH and AS4_PATH (RFC 4271 §4.3, RFC 6793, RFC 5065 confederation
//! segments): segments of 2- or 4-octet AS numbers, their encoding, path
//! length for the decision process, and the RFC 6793 merge of AS_PATH with
//! AS4_PATH.

use std::fmt;

use crate::wire::open::AS_TRANS;

/// The kind of an AS_PATH segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentType {
    /// AS_SET (1).
    Set,
    /// AS_SEQUENCE (2).
    Sequence,
    /// AS_CONFED_SEQUENCE (3).
    ConfedSequence,
    /// AS_CONFED_SET (4).
    ConfedSet,
}

impl SegmentType {
    fn from_u8(v: u8) -> Option<Self> {
        match v {
            1 => Some(SegmentType::Set),
            2 => Some(SegmentType::Sequence),
            3 => Some(SegmentType::ConfedSequence),
            4 => Some(SegmentType::ConfedSet),
            _ => None,
        }
    }

    fn to_u8(self) -> u8 {
        match self {
            SegmentType::Set => 1,
            SegmentType::Sequence => 2,
            SegmentType::ConfedSequence => 3,
            SegmentType::ConfedSet => 4,
        }
    }
}

/// One AS_PATH segment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AsSegment {
    /// Set, sequence or a confederation kind.
    pub kind: SegmentType,
    /// The AS numbers (1 to 255 of them on the wire).
    pub asns: Vec<u32>,
}

/// An AS path: a list of segments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AsPath {
    /// The segments, first is nearest.
    pub segments: Vec<AsSegment>,
}

/// Why an AS path could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AsPathError(pub &'static str);

impl AsPath {
    /// A path of one AS_SEQUENCE (empty for an empty slice).
    pub fn from_sequence(asns: &[u32]) -> AsPath {
        if asns.is_empty() {
            return AsPath::default();
        }
        AsPath {
            segments: vec![AsSegment {
                kind: SegmentType::Sequence,
                asns: asns.to_vec(),
            }],
        }
    }

    /// Parses segments of `width`-byte AS numbers (2 or 4).
    pub(crate) fn decode(mut v: &[u8], width: usize) -> Result<AsPath, AsPathError> {
        let mut segments = Vec::new();
        while !v.is_empty() {
            if v.len() < 2 {
                return Err(AsPathError("segment header truncated"));
            }
            let kind = SegmentType::from_u8(v[0]).ok_or(AsPathError("unknown segment type"))?;
            let count = usize::from(v[1]);
            if count == 0 {
                return Err(AsPathError("empty segment"));
            }
            let Some(body) = v.get(2..2 + count * width) else {
                return Err(AsPathError("segment runs past the attribute"));
            };
            let asns = body
                .chunks_exact(width)
                .map(|c| match c {
                    [a, b] => u32::from(u16::from_be_bytes([*a, *b])),
                    [a, b, c, d] => u32::from_be_bytes([*a, *b, *c, *d]),
                    _ => unreachable!("width is 2 or 4"),
                })
                .collect();
            segments.push(AsSegment { kind, asns });
            v = &v[2 + count * width..];
        }
        Ok(AsPath { segments })
    }

    /// Appends the segments with `width`-byte AS numbers. Segments longer
    /// than 255 are split; with width 2, AS numbers above 65535 become
    /// AS_TRANS (the caller adds AS4_PATH, see [`AsPath::needs_as4_path`]).
    pub(crate) fn encode(&self, width: usize, out: &mut Vec<u8>) {
        for seg in &self.segments {
            for chunk in seg.asns.chunks(255) {
                out.push(seg.kind.to_u8());
                out.push(chunk.len() as u8);
                for &asn in chunk {
                    if width == 2 {
                        let a = u16::try_from(asn).unwrap_or(AS_TRANS);
                        out.extend_from_slice(&a.to_be_bytes());
                    } else {
                        out.extend_from_slice(&asn.to_be_bytes());
                    }
                }
            }
        }
    }

    /// The path length as the decision process counts it (RFC 4271
    /// §9.1.2.2): an AS_SET counts 1, confederation segments count 0.
    pub fn path_len(&self) -> usize {
        self.segments
            .iter()
            .map(|s| match s.kind {
                SegmentType::Sequence => s.asns.len(),
                SegmentType::Set => 1,
                SegmentType::ConfedSequence | SegmentType::ConfedSet => 0,
            })
            .sum()
    }

    /// The neighbouring AS: the first AS of a leading AS_SEQUENCE.
    pub fn first_asn(&self) -> Option<u32> {
        let seg = self
            .segments
            .iter()
            .find(|s| !matches!(s.kind, SegmentType::ConfedSequence | SegmentType::ConfedSet))?;
        match seg.kind {
            SegmentType::Sequence => seg.asns.first().copied(),
            _ => None,
        }
    }

    /// The originating AS: the last AS of a trailing AS_SEQUENCE.
    pub fn origin_asn(&self) -> Option<u32> {
        let seg = self.segments.last()?;
        match seg.kind {
            SegmentType::Sequence => seg.asns.last().copied(),
            _ => None,
        }
    }

    /// Whether `asn` appears anywhere in the path (loop detection).
    pub fn contains(&self, asn: u32) -> bool {
        self.segments.iter().any(|s| s.asns.contains(&asn))
    }

    /// Prepends `asn` as an eBGP speaker does (RFC 4271 §5.1.2).
    pub fn prepend(&mut self, asn: u32) {
        match self.segments.first_mut() {
            Some(seg) if seg.kind == SegmentType::Sequence && seg.asns.len() < 255 => {
                seg.asns.insert(0, asn)
            }
            _ => self.segments.insert(
                0,
                AsSegment {
                    kind: SegmentType::Sequence,
                    asns: vec![asn],
                },
            ),
        }
    }

    /// Whether encoding for a 2-octet session loses information, so that an
    /// AS4_PATH must accompany the AS_PATH.
    pub fn needs_as4_path(&self) -> bool {
        self.segments
            .iter()
            .any(|s| s.asns.iter().any(|&a| a > 0xffff))
    }

    /// The path a NEW speaker reconstructs from AS_PATH and AS4_PATH
    /// received from an OLD speaker (RFC 6793 §4.2.3): when AS_PATH has
    /// fewer AS numbers than AS4_PATH, AS4_PATH is ignored; otherwise the
    /// leading AS numbers of AS_PATH that AS4_PATH does not cover are kept
    /// and AS4_PATH appended.
    pub fn merge_as4(as_path: &AsPath, as4_path: &AsPath) -> AsPath {
        let (n, m) = (as_path.path_len(), as4_path.path_len());
        if n < m {
            return as_path.clone();
        }
        let mut keep = n - m;
        let mut segments = Vec::new();
        for seg in &as_path.segments {
            if keep == 0 {
                break;
            }
            match seg.kind {
                SegmentType::Sequence => {
                    let take = keep.min(seg.asns.len());
                    segments.push(AsSegment {
                        kind: seg.kind,
                        asns: seg.asns[..take].to_vec(),
                    });
                    keep -= take;
                }
                SegmentType::Set => {
                    segments.push(seg.clone());
                    keep -= 1;
                }
                SegmentType::ConfedSequence | SegmentType::ConfedSet => segments.push(seg.clone()),
            }
        }
        segments.extend(as4_path.segments.iter().cloned());
        AsPath { segments }
    }
}

impl fmt::Display for AsPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.segments {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            let (open, close) = match seg.kind {
                SegmentType::Sequence => ("", ""),
                SegmentType::Set => ("{", "}"),
                SegmentType::ConfedSequence => ("(", ")"),
                SegmentType::ConfedSet => ("[", "]"),
            };
            f.write_str(open)?;
            for (i, a) in seg.asns.iter().enumerate() {
                if i > 0 {
                    f.write_str(if seg.kind == SegmentType::Set {
                        ","
                    } else {
                        " "
                    })?;
                }
                write!(f, "{a}")?;
            }
            f.write_str(close)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_and_four_octet_round_trip() {
        let p = AsPath {
            segments: vec![
                AsSegment {
                    kind: SegmentType::Sequence,
                    asns: vec![65001, 65002],
                },
                AsSegment {
                    kind: SegmentType::Set,
                    asns: vec![1, 2, 3],
                },
            ],
        };
        for width in [2, 4] {
            let mut buf = Vec::new();
            p.encode(width, &mut buf);
            assert_eq!(AsPath::decode(&buf, width).unwrap(), p);
        }
        assert_eq!(p.path_len(), 3);
        assert_eq!(p.to_string(), "65001 65002 {1,2,3}");
    }

    #[test]
    fn rejects_malformed() {
        assert!(AsPath::decode(&[2, 0], 4).is_err());
        assert!(AsPath::decode(&[5, 1, 0, 1], 2).is_err());
        assert!(AsPath::decode(&[2, 2, 0, 1], 2).is_err());
        assert!(AsPath::decode(&[2], 2).is_err());
    }

    #[test]
    fn long_sequences_are_split() {
        let p = AsPath::from_sequence(&(1..=300).collect::<Vec<_>>());
        let mut buf = Vec::new();
        p.encode(4, &mut buf);
        let back = AsPath::decode(&buf, 4).unwrap();
        assert_eq!(back.segments.len(), 2);
        assert_eq!(back.path_len(), 300);
    }

    #[test]
    fn rfc6793_merge() {
        let as_path = AsPath::from_sequence(&[65001, 23456, 23456]);
        let as4 = AsPath::from_sequence(&[4_200_000_001, 4_200_000_002]);
        assert_eq!(
            AsPath::merge_as4(&as_path, &as4),
            AsPath {
                segments: vec![
                    AsSegment {
                        kind: SegmentType::Sequence,
                        asns: vec![65001]
                    },
                    AsSegment {
                        kind: SegmentType::Sequence,
                        asns: vec![4_200_000_001, 4_200_000_002]
                    },
                ]
            }
        );
        // AS4_PATH longer than AS_PATH: ignored.
        let short = AsPath::from_sequence(&[23456]);
        assert_eq!(AsPath::merge_as4(&short, &as4), short);
    }

    #[test]
    fn prepend_and_neighbour() {
        let mut p = AsPath::default();
        p.prepend(65011);
        p.prepend(65020);
        assert_eq!(p.first_asn(), Some(65020));
        assert_eq!(p.origin_asn(), Some(65011));
        assert!(p.contains(65011));
    }
}
