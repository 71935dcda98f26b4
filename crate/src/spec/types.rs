//! The type language of input specs (nipype's traits, as JSON).

use crate::value::{Number, Value};

/// An input or output type. See `shared/spec-format.md`, *Types*.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    Any,
    Bool,
    Int,
    Float,
    Str,
    File {
        exists: bool,
        extensions: Vec<String>,
    },
    Directory {
        exists: bool,
    },
    /// The first value is the default.
    Enum(Vec<Value>),
    Range {
        low: Option<RangeBound>,
        high: Option<RangeBound>,
        int: bool,
    },
    List {
        item: Box<Type>,
        minlen: Option<usize>,
        maxlen: Option<usize>,
    },
    Tuple(Vec<Type>),
    Either(Vec<Type>),
    /// Values of one type; the keys any string, or (1.1) only these.
    Dict(Box<Type>, Vec<String>),
    /// One value or a list of them, always held as a list.
    MultiPath(Box<Type>),
}

/// One end of a `Range`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RangeBound {
    pub value: Number,
    pub exclusive: bool,
}

impl Type {
    /// Whether traits validates this type in C before any Python-level validator,
    /// which decides the order in which `Either` tries its branches.
    pub(crate) fn is_fast(&self) -> bool {
        // A float Range has a C validator; an int Range does not.
        matches!(
            self,
            Type::Bool | Type::Int | Type::Float | Type::Str | Type::Enum(_) | Type::Range { int: false, .. }
        )
    }

    /// nipype's name for the type, as `help()` shows it.
    pub fn describe(&self) -> String {
        match self {
            Type::Any => "any value".into(),
            Type::Bool => "a boolean".into(),
            Type::Int => "an integer".into(),
            Type::Float => "a float".into(),
            Type::Str => "a string".into(),
            Type::File { exists, extensions } => {
                let mut s = if *exists {
                    "a pathlike object or string representing an existing file".to_string()
                } else {
                    "a pathlike object or string representing a file".to_string()
                };
                if !extensions.is_empty() {
                    s.push_str(&format!(" (one of {})", extensions.join(", ")));
                }
                s
            }
            Type::Directory { exists: true } => "a pathlike object or string representing an existing directory".into(),
            Type::Directory { exists: false } => "a pathlike object or string representing a directory".into(),
            Type::Enum(values) => values.iter().map(Value::py_repr).collect::<Vec<_>>().join(" or "),
            Type::Range { low, high, int } => {
                let kind = if *int { "an integer" } else { "a float" };
                let show = |b: &RangeBound| Value::from_number(b.value).py_str();
                let excl = |b: &RangeBound| if b.exclusive { "exclusive " } else { "" };
                match (low, high) {
                    (Some(l), Some(h)) => {
                        format!("{kind} in the range from {}{} to {}{}", excl(l), show(l), excl(h), show(h))
                    }
                    (Some(l), None) => format!("{kind} >{} {}", if l.exclusive { "" } else { "=" }, show(l)),
                    (None, Some(h)) => format!("{kind} <{} {}", if h.exclusive { "" } else { "=" }, show(h)),
                    (None, None) => kind.into(),
                }
            }
            Type::List { item, minlen, maxlen } => {
                let mut s = format!("a list of items which are {}", item.describe());
                match (minlen, maxlen) {
                    (Some(a), Some(b)) if a == b => s = format!("a list of {a} items which are {}", item.describe()),
                    (Some(a), Some(b)) => s = format!("a list of from {a} to {b} items which are {}", item.describe()),
                    (Some(a), None) => s = format!("a list of at least {a} items which are {}", item.describe()),
                    (None, Some(b)) => s = format!("a list of at most {b} items which are {}", item.describe()),
                    _ => {}
                }
                s
            }
            Type::Tuple(items) => {
                format!("a tuple of the form: ({})", items.iter().map(Type::describe).collect::<Vec<_>>().join(", "))
            }
            Type::Either(branches) => branches.iter().map(Type::describe).collect::<Vec<_>>().join(" or "),
            Type::Dict(item, keys) if keys.is_empty() => {
                format!("a dictionary with keys which are a string and with values which are {}", item.describe())
            }
            Type::Dict(item, keys) => {
                let keys: Vec<String> = keys.iter().map(|k| Value::Str(k.clone()).py_repr()).collect();
                format!(
                    "a dictionary with keys which are {} and with values which are {}",
                    keys.join(" or "),
                    item.describe()
                )
            }
            Type::MultiPath(item) => format!("a list of items which are {}", item.describe()),
        }
    }

    /// The value nipype's trait holds under `usedefault` when the spec gives none.
    pub(crate) fn implicit_default(&self) -> Option<Value> {
        Some(match self {
            Type::Bool => Value::Bool(false),
            Type::Int => Value::Int(0),
            Type::Float => Value::Float(0.0),
            Type::Str => Value::Str(String::new()),
            Type::Enum(values) => return values.first().cloned(),
            Type::List { .. } | Type::MultiPath(_) => Value::List(Vec::new()),
            Type::Dict(..) => Value::Dict(Vec::new()),
            Type::Range { low, high, .. } => return low.or(*high).map(|b| Value::from_number(b.value)),
            _ => return None,
        })
    }
}

impl Value {
    pub(crate) fn from_number(n: Number) -> Value {
        match n {
            Number::Int(i) => Value::Int(i),
            Number::Float(f) => Value::Float(f),
        }
    }
}
