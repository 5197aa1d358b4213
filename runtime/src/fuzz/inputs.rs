//! The fuzz test's inputs: a deterministic generator, value trees, shapes, soups, mutations.

use crate::value::integer::Integer;
use crate::value::special::{DType, Path, StorageSize, Uri};
use crate::value::tree::{MAX_DEPTH, MetadataValue};

/// `SplitMix64`: small, fast, and the same inputs on every run.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// 64 random bits.
    pub(crate) fn bits(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`, `n > 0`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.bits() % n as u64).unwrap_or(0)
    }

    /// True once in `n` times.
    pub(crate) fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Texts hard for a writer and a reader: quotes, backslashes, control characters, NUL, a BOM,
/// line separators, letters of two to four bytes, and the words that read as floats.
const TEXTS: &[&str] = &[
    "",
    "a",
    "key",
    "NaN",
    "Infinity",
    "-Infinity",
    "\"",
    "\\",
    "\\u0000",
    "\0",
    "\u{1}\u{1f}",
    "\u{7f}",
    "\n\r\t\u{8}\u{c}",
    "\u{feff}",
    "é",
    "ü🦀",
    "\u{10ffff}",
    "\u{2028}\u{2029}",
    "https://x.example/a?b=c#d",
    "/tmp/a b",
    "float32",
    "a:b",
    " ",
    "{}[],:",
];

/// ZenML's twelve tags, near misses and junk.
pub(crate) const TAGS: &[&str] = &[
    "str",
    "int",
    "float",
    "bool",
    "list",
    "dict",
    "tuple",
    "set",
    "Uri",
    "Path",
    "DType",
    "StorageSize",
    "Str",
    "string",
    "uri",
    "PATH",
    "storagesize",
    "tuple ",
    " int",
    "",
    "\0",
    "NaN",
    "list\n",
    "Dtype",
    "null",
    "é",
];

/// Tokens a mutation inserts and a soup is made of, some of them not UTF-8.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\"",
    b"\\",
    b" ",
    b"\n",
    b"null",
    b"true",
    b"false",
    b"nul",
    b"tru",
    b"0",
    b"-",
    b"-0",
    b"1.5",
    b"1e999999",
    b"-1e999999",
    b"1e-999999",
    b"1E+",
    b"00",
    b".5",
    b"340282366920938463463374607431768211456",
    b"-170141183460469231731687303715884105729",
    b"\"k\"",
    b"\"k\":",
    b"\"\\ud800\"",
    b"\"\\udc00\\ud800\"",
    b"\\ud83d\\ude00",
    b"\\u",
    b"\\u12",
    b"\\uZZZZ",
    b"\\x41",
    b"\\'",
    b"\\U0001F600",
    b"\"NaN\"",
    b"\0",
    b"\x01",
    b"\x1f",
    b"\x7f",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xe2\x82",
    "é🦀".as_bytes(),
];

/// Numbers at and past every limit: widths, exponents, signs, and the grammar's edges.
fn number(rng: &mut Rng) -> String {
    match rng.below(12) {
        0 => "9".repeat(300),
        1 => format!("-{}", "1".repeat(1 + rng.below(400))),
        2 => format!("1e{}", "9".repeat(1 + rng.below(2000))),
        3 => format!("0.{}1", "0".repeat(rng.below(2000))),
        4 => format!(
            "{}.{}e-{}",
            "7".repeat(rng.below(800) + 1),
            "3".repeat(rng.below(800)),
            1 + rng.below(400)
        ),
        5 => rng
            .pick(&[
                "1e999999",
                "-1e999999",
                "1e-999999",
                "-0",
                "-0.0",
                "0e0",
                "-0E-0",
            ])
            .to_owned(),
        6 => rng
            .pick(&[
                "18446744073709551616",
                "340282366920938463463374607431768211455",
                "340282366920938463463374607431768211456",
                "-170141183460469231731687303715884105728",
                "-170141183460469231731687303715884105729",
            ])
            .to_owned(),
        7 => rng
            .pick(&[
                "01", "-", "1.", ".1", "+1", "1e", "1e+", "--1", "0x10", "1_000", "Infinity", "NaN",
            ])
            .to_owned(),
        8 => format!("1E+{}1", "0".repeat(rng.below(3000))),
        9 => f64::from_bits(rng.bits()).to_string(),
        10 => i128::from(rng.bits())
            .wrapping_mul(i128::from(rng.bits()))
            .to_string(),
        _ => rng.bits().to_string(),
    }
}

pub(crate) fn text(rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..rng.below(4) {
        out.push_str(rng.pick(TEXTS));
    }
    if rng.one_in(50) {
        out.push_str(&rng.pick(TEXTS).repeat(rng.below(2000)));
    }
    out
}

/// A key ZenML takes: not empty, no `:`, at most 255 characters.
pub(crate) fn key(rng: &mut Rng) -> String {
    let key: String = text(rng).replace(':', "_").chars().take(255).collect();
    if key.is_empty() {
        format!("k{}", rng.below(100))
    } else {
        key
    }
}

fn integer(rng: &mut Rng) -> Integer {
    match rng.below(6) {
        0 => Integer::from(rng.pick(&[0, 1, -1, i128::MAX, i128::MIN])),
        1 => Integer::from(u128::MAX - u128::from(rng.bits() % 3)),
        2 => Integer::from(rng.bits()),
        3 => Integer::from(i128::from(rng.bits()) << 64 | i128::from(rng.bits())),
        _ => Integer::from(i64::try_from(rng.bits() % 2000).unwrap_or(0) - 1000),
    }
}

fn float(rng: &mut Rng) -> f64 {
    const FLOATS: &[f64] = &[
        0.0,
        -0.0,
        1.0,
        -1.5,
        0.1,
        1e16,
        1e22,
        5e-324,
        f64::MIN_POSITIVE,
        f64::MAX,
        f64::MIN,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    if rng.one_in(2) {
        rng.pick(FLOATS)
    } else {
        f64::from_bits(rng.bits())
    }
}

/// A random value down to `depth` more levels; dict keys unique, as a `MetadataValue` expects.
pub(crate) fn value(rng: &mut Rng, depth: usize) -> MetadataValue {
    use MetadataValue as V;
    let width = |rng: &mut Rng| {
        if rng.one_in(30) {
            rng.below(60)
        } else {
            rng.below(5)
        }
    };
    let leaf = depth == 0 || rng.one_in(2);
    match rng.below(if leaf { 8 } else { 12 }) {
        0 => V::Str(text(rng)),
        1 => V::Int(integer(rng)),
        2 => V::Float(float(rng)),
        3 => V::Bool(rng.one_in(2)),
        4 => V::Uri(Uri::new(text(rng))),
        5 => V::Path(Path::new(text(rng))),
        6 => V::DType(DType::new(text(rng))),
        7 => V::StorageSize(StorageSize::new(rng.bits() >> rng.below(64))),
        8 => V::List((0..width(rng)).map(|_| value(rng, depth - 1)).collect()),
        9 => V::Tuple((0..width(rng)).map(|_| value(rng, depth - 1)).collect()),
        10 => V::Set((0..width(rng)).map(|_| value(rng, depth - 1)).collect()),
        _ => {
            let mut entries: Vec<(String, MetadataValue)> = Vec::new();
            for _ in 0..width(rng) {
                let k = text(rng);
                if entries.iter().all(|(e, _)| *e != k) {
                    entries.push((k, value(rng, depth - 1)));
                }
            }
            V::Dict(entries)
        }
    }
}

/// A value at most `levels` deep: 4 mostly, now and then down to `levels`, as one chain.
pub(crate) fn tree(rng: &mut Rng, levels: usize) -> MetadataValue {
    if !rng.one_in(40) {
        return value(rng, 4.min(levels));
    }
    let mut v = value(rng, 0);
    for _ in 0..levels - rng.below(3).min(levels) {
        v = if rng.one_in(2) {
            MetadataValue::List(vec![v])
        } else {
            MetadataValue::Dict(vec![(text(rng), v)])
        };
    }
    v
}

/// Arrays or objects nested one level short of the limits, at them, past them, and 10,000
/// deep; closed, or not quite.
fn deep(rng: &mut Rng) -> Vec<u8> {
    let (open, close) = rng.pick(&[
        ("[", "]"),
        (" [ ", " ] "),
        (r#"{"a":"#, "}"),
        (r#"[{"k":"#, "}]"),
        (r#"{"metadata":{"run_metadata":"#, "}}"),
    ]);
    let limits = [MAX_DEPTH, MAX_DEPTH + 1, MAX_DEPTH + 3, MAX_DEPTH + 8];
    let n = match rng.below(6) {
        0 => 1000,
        1 => 10_000,
        _ => rng.pick(&limits) + rng.below(3) - 1,
    };
    let mut out = open.repeat(n);
    out.push_str(rng.pick(&["", "1", "[]", "{}", "\"x\""]));
    out.push_str(&close.repeat(n - rng.below(3).min(n)));
    out.into_bytes()
}

/// A document no tree gives: too deep, very wide, a number or a string past the reader's
/// limits, a BOM or NUL around a document.
pub(crate) fn shape(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    match rng.below(7) {
        0 => out = deep(rng),
        1 => {
            let item = rng.pick(&[
                "1",
                "\"x\"",
                "null",
                "[]",
                "{}",
                "1e999999",
                "-0",
                "[1,{\"a\":[]}]",
            ]);
            let n = members(rng);
            out.push(b'[');
            out.extend(vec![item; n].join(",").bytes());
            out.push(b']');
        }
        2 => {
            let n = members(rng);
            let repeated = rng.one_in(2);
            let members: Vec<String> = (0..n)
                .map(|i| {
                    if repeated {
                        format!("\"k\":{i}")
                    } else {
                        format!("\"k{i}\":{i}")
                    }
                })
                .collect();
            out.extend(format!("{{{}}}", members.join(",")).bytes());
        }
        3 => out.extend(number(rng).bytes()),
        4 => {
            out.push(b'"');
            for _ in 0..rng.below(20) {
                out.extend(rng.pick(&[
                    &b"\\ud800"[..],
                    b"\\udbff\\udfff",
                    b"\\udc00",
                    b"\\ud800\\u0041",
                    b"\\u0000",
                    b"\\u00e9",
                    b"\\x",
                    b"\\",
                    b"\\/",
                    b"\\b\\f\\n\\r\\t",
                    b"\x00",
                    b"\x1f",
                    b"\t",
                    b"\xef\xbb\xbf",
                    b"\xff\xfe",
                    b"a",
                ]));
            }
            if !rng.one_in(4) {
                out.push(b'"');
            }
        }
        5 => {
            out.extend(rng.pick(&[&b"\xef\xbb\xbf"[..], b"\0", b"", b" \t\r\n"]));
            out.extend(value(rng, 2).to_json().bytes());
            out.extend(rng.pick(&[&b"\0"[..], b"", b" ", b"\xef\xbb\xbf", b"x", b"{}"]));
        }
        _ => out.extend(
            format!(
                "{{\"detail\":[{}]}}",
                vec![number(rng); rng.below(200)].join(",")
            )
            .bytes(),
        ),
    }
    out
}

/// How many members a wide array or object has: up to 500, one time in ten up to 20,000.
fn members(rng: &mut Rng) -> usize {
    let most = if rng.one_in(10) { 20_000 } else { 500 };
    rng.below(most)
}

/// Up to 60 tokens and bytes, in any order.
pub(crate) fn soup(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..rng.below(60) {
        if rng.one_in(8) {
            out.push(u8::try_from(rng.below(256)).unwrap_or(0));
        } else {
            out.extend(rng.pick(TOKENS));
        }
    }
    out
}

/// One to four mutations: a bit flipped, a byte replaced, a token inserted, a range deleted or
/// repeated (a repeated member is a repeated key), the end cut off.
pub(crate) fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        let to = at + rng.below(bytes.len() - at + 1).min(1 + rng.below(64));
        match rng.below(6) {
            0 if at < bytes.len() => bytes[at] ^= 1 << rng.below(8),
            1 if at < bytes.len() => {
                bytes[at] = rng.pick(b"\"\\{}[],:0-e.u \0\x1f\x7f\x80\xc3\xff");
            }
            2 => drop(bytes.splice(at..at, rng.pick(TOKENS).iter().copied())),
            3 => drop(bytes.drain(at..to)),
            4 => {
                let copy = bytes[at..to].to_vec();
                bytes.splice(to..to, copy);
            }
            _ => bytes.truncate(at),
        }
    }
}

/// A document's bytes as a `&str` API receives them.
pub(crate) fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// How an input was made: from a tree, left whole, or otherwise.
pub(crate) fn document(rng: &mut Rng, tree_json: String) -> (Vec<u8>, bool) {
    match rng.below(10) {
        0..=2 => (tree_json.into_bytes(), true),
        3..=7 => {
            let mut bytes = tree_json.into_bytes();
            mutate(rng, &mut bytes);
            (bytes, false)
        }
        8 => {
            let mut bytes = shape(rng);
            if rng.one_in(3) {
                mutate(rng, &mut bytes);
            }
            (bytes, false)
        }
        _ => (soup(rng), false),
    }
}
