//! Writing the Prometheus text format 0.0.4: `# HELP` and `# TYPE` lines,
//! samples with escaped label values, and numbers as Prometheus reads them.

use std::fmt::Write;
use std::time::Duration;

use super::histogram::HistogramSnapshot;

/// The kind in a `# TYPE` line.
#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// The text being written.
#[derive(Debug, Default)]
pub(super) struct Exposition {
    text: String,
}

impl Exposition {
    /// Starts a metric family: its HELP and TYPE lines.
    pub(super) fn family(&mut self, name: &str, help: &str, kind: Kind) {
        let kind = match kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        };
        let help = help.replace('\\', "\\\\").replace('\n', "\\n");
        // Writing to a String cannot fail.
        let _ = writeln!(self.text, "# HELP {name} {help}\n# TYPE {name} {kind}");
    }

    /// One sample of an integer value.
    pub(super) fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: u64) {
        self.sample_text(name, labels, &value.to_string());
    }

    /// A whole histogram family's samples: buckets, sum and count, in seconds.
    pub(super) fn histogram(&mut self, name: &str, snapshot: &HistogramSnapshot) {
        let bucket = format!("{name}_bucket");
        for (le, count) in &snapshot.cumulative {
            let le = le.map_or_else(|| "+Inf".to_string(), seconds);
            self.sample(&bucket, &[("le", &le)], *count);
        }
        self.sample_text(&format!("{name}_sum"), &[], &seconds(snapshot.sum));
        self.sample(&format!("{name}_count"), &[], snapshot.count);
    }

    fn sample_text(&mut self, name: &str, labels: &[(&str, &str)], value: &str) {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (i, (label, label_value)) in labels.iter().enumerate() {
                if i > 0 {
                    self.text.push(',');
                }
                let _ = write!(self.text, "{label}=\"{}\"", escape_label_value(label_value));
            }
            self.text.push('}');
        }
        self.text.push(' ');
        self.text.push_str(value);
        self.text.push('\n');
    }

    /// The finished text.
    pub(super) fn finish(self) -> String {
        self.text
    }
}

/// A label value with `\`, `"` and newlines escaped as the format demands.
fn escape_label_value(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '"' => escaped.push_str("\\\""),
            '\n' => escaped.push_str("\\n"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// A duration in seconds, shortest exact decimal (`0.00025`, `5`).
fn seconds(duration: Duration) -> String {
    format!("{}", duration.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        let mut exposition = Exposition::default();
        exposition.sample("m", &[("peer", "a\"b\\c\nd"), ("state", "Idle")], 1);
        assert_eq!(
            exposition.finish(),
            "m{peer=\"a\\\"b\\\\c\\nd\",state=\"Idle\"} 1\n"
        );
    }

    #[test]
    fn seconds_are_plain_decimals() {
        assert_eq!(seconds(Duration::from_micros(100)), "0.0001");
        assert_eq!(seconds(Duration::from_micros(250)), "0.00025");
        assert_eq!(seconds(Duration::from_millis(2_500)), "2.5");
        assert_eq!(seconds(Duration::from_secs(5)), "5");
        assert_eq!(seconds(Duration::from_nanos(1)), "0.000000001");
        assert_eq!(seconds(Duration::ZERO), "0");
    }
}
