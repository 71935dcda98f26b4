//! The job tree and its MATLAB text (nipype's `_generate_job`).
//!
//! nipype's job is Python data: dicts, lists, object arrays (MATLAB cells)
//! and scalars; `_generate_job` walks it, and what each shape becomes is
//! decided by its Python type. [`Node`] keeps exactly the distinctions that
//! walk makes, so the text follows from the shape alone.

use crate::value::Value;
use std::fmt::Write;

/// A piece of the job.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// A value as Python holds it (its lists and dicts walked as lists and dicts).
    Value(Value),
    /// A list of job pieces: `prefix(i)`.
    List(Vec<Node>),
    /// A dict: `prefix.key`, in insertion order.
    Struct(Vec<(String, Node)>),
    /// An object array: a MATLAB cell, written whole.
    Cell(Vec<CellItem>),
    /// An object whose `str()` is this text (CAT12's `Cell2Str`).
    Text(String),
}

/// An item of an object array: a value, or an array in the array.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CellItem {
    Value(Value),
    Cell(Vec<CellItem>),
}

impl Node {
    /// Puts `node` at the dotted `field` of this struct, making the structs on
    /// the way (nipype's `_parse_inputs`: a later value at the same field
    /// replaces the earlier one in its place).
    pub fn insert(&mut self, field: &str, node: Node) {
        let Node::Struct(entries) = self else { return };
        let (head, rest) = match field.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (field, None),
        };
        let at = match entries.iter().position(|(k, _)| k == head) {
            Some(at) => at,
            None => {
                entries.push((head.to_string(), Node::Struct(Vec::new())));
                entries.len() - 1
            }
        };
        match rest {
            None => entries[at].1 = node,
            Some(rest) => {
                if !matches!(entries[at].1, Node::Struct(_)) {
                    entries[at].1 = Node::Struct(Vec::new());
                }
                entries[at].1.insert(rest, node);
            }
        }
    }
}

/// Appends the MATLAB lines for `node` at `prefix`.
pub(crate) fn write(prefix: &str, node: &Node, out: &mut String) {
    match node {
        Node::Value(v) => write_value(prefix, v, out),
        Node::List(items) => {
            for (i, item) in items.iter().enumerate() {
                write(&index(prefix, i), item, out);
            }
        }
        Node::Struct(entries) => {
            for (key, item) in entries {
                write(&format!("{prefix}.{key}"), item, out);
            }
        }
        Node::Cell(items) => write_cell(prefix, items, out),
        Node::Text(text) => {
            let _ = writeln!(out, "{prefix} = {text};");
        }
    }
}

/// `prefix(i)`, or `prefix(…,i)` when the prefix already ends in an index.
fn index(prefix: &str, i: usize) -> String {
    match prefix.strip_suffix(')') {
        Some(open) => format!("{open},{})", i + 1),
        None => format!("{prefix}({})", i + 1),
    }
}

fn write_value(prefix: &str, v: &Value, out: &mut String) {
    match v {
        Value::None => {}
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                write_value(&index(prefix, i), item, out);
            }
        }
        Value::Dict(entries) => {
            for (key, item) in entries {
                write_value(&format!("{prefix}.{key}"), item, out);
            }
        }
        Value::Str(s) => {
            let _ = writeln!(out, "{prefix} = '{s}';");
        }
        other => {
            let _ = write!(out, "{prefix} = ");
            other.write_str(out);
            out.push_str(";\n");
        }
    }
}

/// An object array: `prefix = {...`, an item per line, `};`. A cell inside a
/// cell opens without a prefix.
fn write_cell(prefix: &str, items: &[CellItem], out: &mut String) {
    if prefix.is_empty() {
        out.push_str("{...\n");
    } else {
        let _ = writeln!(out, "{prefix} = {{...");
    }
    for item in items {
        match item {
            CellItem::Cell(inner) => write_cell("", inner, out),
            CellItem::Value(Value::Str(s)) => {
                let _ = writeln!(out, "'{s}';...");
            }
            CellItem::Value(Value::List(els)) => {
                out.push('[');
                for (n, el) in els.iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    match el {
                        Value::Str(s) => {
                            let _ = write!(out, "'{s}'");
                        }
                        other => other.write_str(out),
                    }
                }
                out.push_str("];...\n");
            }
            CellItem::Value(other) => {
                other.write_str(out);
                out.push_str(";...\n");
            }
        }
    }
    out.push_str("};\n");
}
