//! Splitting a command line into words as a POSIX shell would, except for what
//! came from values.
//!
//! nipype hands its command line to a shell, so the spec's own text may quote
//! (`-a "%s"`, `--o0'%s'`) and its spaces separate words. toolmemo runs tools
//! without a shell, so it splits the line itself, the way Python's `shlex.split`
//! does (quotes, backslashes, whitespace) — but characters that came from input
//! values are always literal: a value with spaces, quotes or `;` stays inside
//! its word and can never become shell syntax.

use std::ops::Range;

/// Splits `text`; bytes inside `literal` ranges are taken as they are.
pub fn split_words(text: &str, literal: &[Range<usize>]) -> Result<Vec<String>, String> {
    #[derive(PartialEq)]
    enum Quote {
        None,
        Single,
        Double,
    }
    // Asked of ever later positions: one pass over the ranges, by start (a
    // scan of every range per character was quadratic in a long list's items).
    let mut sorted: Vec<&Range<usize>> = literal.iter().collect();
    sorted.sort_by_key(|r| r.start);
    let cursor = std::cell::Cell::new(0usize);
    let reach = std::cell::Cell::new(0usize); // the furthest end among ranges passed
    let is_literal = |i: usize| {
        let mut c = cursor.get();
        while c < sorted.len() && sorted[c].start <= i {
            reach.set(reach.get().max(sorted[c].end));
            c += 1;
        }
        cursor.set(c);
        i < reach.get()
    };
    let mut words = Vec::new();
    let mut word = String::new();
    let mut started = false;
    let mut quote = Quote::None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_literal(i) {
            word.push(c);
            started = true;
            continue;
        }
        match quote {
            Quote::Single => {
                if c == '\'' {
                    quote = Quote::None;
                } else {
                    word.push(c);
                }
            }
            Quote::Double => match c {
                '"' => quote = Quote::None,
                '\\' if chars
                    .peek()
                    .is_some_and(|&(j, n)| !is_literal(j) && matches!(n, '\\' | '"' | '$' | '`' | '\n')) =>
                {
                    word.push(chars.next().expect("peeked").1);
                }
                _ => word.push(c),
            },
            Quote::None => match c {
                // shlex's whitespace, not Unicode's: a no-break space or a
                // vertical tab in a spec's text is part of a word there.
                ' ' | '\t' | '\r' | '\n' => {
                    if started {
                        words.push(std::mem::take(&mut word));
                        started = false;
                    }
                }
                '\'' => {
                    quote = Quote::Single;
                    started = true;
                }
                '"' => {
                    quote = Quote::Double;
                    started = true;
                }
                '\\' => {
                    started = true;
                    if let Some((_, n)) = chars.next() {
                        word.push(n);
                    }
                }
                _ => {
                    word.push(c);
                    started = true;
                }
            },
        }
    }
    if quote != Quote::None {
        return Err("no closing quotation".into());
    }
    if started {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::split_words;

    #[test]
    fn splits_like_shlex_outside_values() {
        assert_eq!(split_words("bet -f 0.50  -m", &[]).unwrap(), ["bet", "-f", "0.50", "-m"]);
        assert_eq!(split_words(r#"-a "x y" 'z w' a\ b"#, &[]).unwrap(), ["-a", "x y", "z w", "a b"]);
        assert_eq!(split_words("--o0'a b'", &[]).unwrap(), ["--o0a b"]);
        assert!(split_words("-a 'open", &[]).is_err());
        // shlex.split("a\xa0b c\x0bd\te") == ['a\xa0b', 'c\x0bd', 'e']
        assert_eq!(split_words("a\u{a0}b c\u{b}d\te", &[]).unwrap(), ["a\u{a0}b", "c\u{b}d", "e"]);
    }

    #[test]
    fn values_stay_literal() {
        // "-x my file; rm -rf" where "my file; rm -rf" came from a value.
        let text = "-x my file; rm -rf";
        let value = 3..18;
        assert_eq!(split_words(text, std::slice::from_ref(&value)).unwrap(), ["-x", "my file; rm -rf"]);
        // A quote inside a value is a character, not syntax.
        let value = 4..8;
        assert_eq!(split_words("-a \"it's\"", std::slice::from_ref(&value)).unwrap(), ["-a", "it's"]);
    }
}
