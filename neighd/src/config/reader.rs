//! Typed access to a parsed TOML document in which every value knows its
//! key path and its place in the file, so that every error names both.
//!
//! toml's `DeTable` keeps the span of each key and value; a [`Table`] is a
//! table of the document checked against its [`TableSchema`] (no unknown
//! keys), an [`Item`] one value at its key path.

use std::fmt::Display;
use std::ops::{Range, RangeInclusive};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::error::{ConfigError, Location, Problem};
use super::schema::{self, TableSchema};
use super::suggest;

/// The text being read and its name for messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'i> {
    pub origin: &'i str,
    pub text: &'i str,
}

impl Source<'_> {
    /// An error about `key` at `span` (or at no place in particular).
    pub fn error(&self, span: Option<&Range<usize>>, key: &str, problem: Problem) -> ConfigError {
        ConfigError::Invalid {
            at: Location::new(self.origin, self.text, span.map(|s| s.start)),
            key: key.to_string(),
            problem,
        }
    }
}

/// The TOML type of a value with its article, for "expected …, found …".
fn kind(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// One value of the document at its key path.
#[derive(Debug)]
pub(crate) struct Item<'d, 'i> {
    src: &'d Source<'i>,
    path: String,
    value: &'d Spanned<DeValue<'i>>,
}

impl<'d, 'i> Item<'d, 'i> {
    /// Its key path, e.g. `bgp.neighbor[0].address`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The value.
    pub fn value(&self) -> &'d DeValue<'i> {
        self.value.get_ref()
    }

    /// An error about this value, placed at it.
    pub fn fail(&self, problem: Problem) -> ConfigError {
        self.src
            .error(Some(&self.value.span()), &self.path, problem)
    }

    /// A "wrong type" error.
    pub fn wrong_type(&self, expected: &'static str) -> ConfigError {
        self.fail(Problem::WrongType {
            expected,
            found: kind(self.value()),
        })
    }

    /// The value as a string.
    pub fn str(&self) -> Result<&'d str, ConfigError> {
        match self.value() {
            DeValue::String(s) => Ok(s.as_ref()),
            _ => Err(self.wrong_type("a string")),
        }
    }

    /// The value as a non-empty string.
    pub fn non_empty_str(&self) -> Result<&'d str, ConfigError> {
        let s = self.str()?;
        if s.is_empty() {
            return Err(self.fail(Problem::Empty));
        }
        Ok(s)
    }

    /// The value as a boolean.
    pub fn bool(&self) -> Result<bool, ConfigError> {
        match self.value() {
            DeValue::Boolean(b) => Ok(*b),
            _ => Err(self.wrong_type("a boolean")),
        }
    }

    /// The value as an integer in `range`.
    pub fn int_in<T>(&self, range: RangeInclusive<T>) -> Result<T, ConfigError>
    where
        T: Copy + Display + Into<i128> + TryFrom<i128>,
    {
        let DeValue::Integer(i) = self.value() else {
            return Err(self.wrong_type("an integer"));
        };
        let out_of_range = || {
            self.fail(Problem::OutOfRange {
                value: self.src.text[self.value.span()].to_string(),
                range: format!("{}..={}", range.start(), range.end()),
            })
        };
        // toml gives the digits without underscores or radix prefix; a
        // number too long even for i128 is out of any range here.
        let n = i128::from_str_radix(i.as_str(), i.radix()).map_err(|_| out_of_range())?;
        if n < (*range.start()).into() || n > (*range.end()).into() {
            return Err(out_of_range());
        }
        T::try_from(n).map_err(|_| out_of_range())
    }

    /// The string value turned into a `T` by `parse`, whose problem is
    /// placed at the value.
    pub fn parse_str<T>(
        &self,
        parse: impl FnOnce(&str) -> Result<T, Problem>,
    ) -> Result<T, ConfigError> {
        parse(self.str()?).map_err(|p| self.fail(p))
    }

    /// The elements of an array, each at `path[i]`.
    pub fn array(&self) -> Result<Vec<Item<'d, 'i>>, ConfigError> {
        let DeValue::Array(a) = self.value() else {
            return Err(self.wrong_type("an array"));
        };
        Ok(a.iter()
            .enumerate()
            .map(|(i, value)| Item {
                src: self.src,
                path: format!("{}[{i}]", self.path),
                value,
            })
            .collect())
    }

    /// Each element of a string array turned into a `T` by `parse`.
    pub fn parse_list<T>(
        &self,
        parse: impl Fn(&str) -> Result<T, Problem>,
    ) -> Result<Vec<(T, Item<'d, 'i>)>, ConfigError> {
        self.array()?
            .into_iter()
            .map(|item| Ok((item.parse_str(&parse)?, item)))
            .collect()
    }

    /// The value as a table of `schema`.
    pub fn table(&self, schema: &'static TableSchema) -> Result<Table<'d, 'i>, ConfigError> {
        let DeValue::Table(t) = self.value() else {
            return Err(self.wrong_type("a table"));
        };
        Table::checked(
            self.src,
            self.path.clone(),
            Some(self.value.span()),
            t,
            schema,
        )
    }

    /// The value as an array of tables of `schema` (`[[x]]`).
    pub fn tables(&self, schema: &'static TableSchema) -> Result<Vec<Table<'d, 'i>>, ConfigError> {
        let expected = "an array of tables";
        match self.value() {
            DeValue::Array(_) => self
                .array()?
                .iter()
                .map(|item| match item.value() {
                    DeValue::Table(_) => item.table(schema),
                    _ => Err(item.wrong_type("a table")),
                })
                .collect(),
            _ => Err(self.wrong_type(expected)),
        }
    }
}

/// A table of the document, known to have only the keys of its schema.
#[derive(Debug)]
pub(crate) struct Table<'d, 'i> {
    src: &'d Source<'i>,
    path: String,
    /// The header (`[bgp]`), or `None` for the document itself.
    span: Option<Range<usize>>,
    entries: &'d DeTable<'i>,
}

impl<'d, 'i> Table<'d, 'i> {
    /// The whole document.
    pub fn root(src: &'d Source<'i>, doc: &'d DeTable<'i>) -> Result<Self, ConfigError> {
        Table::checked(src, String::new(), None, doc, &schema::ROOT)
    }

    fn checked(
        src: &'d Source<'i>,
        path: String,
        span: Option<Range<usize>>,
        entries: &'d DeTable<'i>,
        schema: &'static TableSchema,
    ) -> Result<Self, ConfigError> {
        let table = Table {
            src,
            path,
            span,
            entries,
        };
        // The first unknown key in the file, not in the map's order.
        let unknown = entries
            .iter()
            .filter(|(k, _)| !schema.keys.contains(&k.get_ref().as_ref()))
            .min_by_key(|(k, _)| k.span().start);
        if let Some((key, _)) = unknown {
            let name = key.get_ref().as_ref();
            let problem = match suggest::closest(name, schema.keys) {
                Some(near) => Problem::UnknownKey {
                    closest: Some(join(&table.path, near)),
                },
                None => match schema::ALL
                    .iter()
                    .find(|other| other.name != schema.name && other.keys.contains(&name))
                {
                    Some(other) => Problem::KeyInWrongTable {
                        table: other.header.to_string(),
                    },
                    None => Problem::UnknownKey { closest: None },
                },
            };
            return Err(src.error(Some(&key.span()), &join(&table.path, name), problem));
        }
        Ok(table)
    }

    /// An error about the table as a whole, placed at its header.
    pub fn fail(&self, problem: Problem) -> ConfigError {
        self.src.error(self.span.as_ref(), &self.path, problem)
    }

    /// The value of `key`, if given.
    pub fn get(&self, key: &str) -> Option<Item<'d, 'i>> {
        self.entries.get(key).map(|value| Item {
            src: self.src,
            path: join(&self.path, key),
            value,
        })
    }

    /// The value of `key`, which must be given.
    pub fn required(&self, key: &str) -> Result<Item<'d, 'i>, ConfigError> {
        self.get(key).ok_or_else(|| {
            self.src
                .error(self.span.as_ref(), &join(&self.path, key), Problem::Missing)
        })
    }

    /// `read(value)` if `key` is given, else `default`.
    pub fn or<T>(
        &self,
        key: &str,
        default: T,
        read: impl FnOnce(&Item<'d, 'i>) -> Result<T, ConfigError>,
    ) -> Result<T, ConfigError> {
        match self.get(key) {
            Some(item) => read(&item),
            None => Ok(default),
        }
    }

    /// `Some(read(value))` if `key` is given, else `None`.
    pub fn opt<T>(
        &self,
        key: &str,
        read: impl FnOnce(&Item<'d, 'i>) -> Result<T, ConfigError>,
    ) -> Result<Option<T>, ConfigError> {
        self.get(key).map(|item| read(&item)).transpose()
    }
}
