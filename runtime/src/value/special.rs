//! ZenML's special metadata types: `Uri`, `Path`, `DType` and `StorageSize`.

use core::fmt;

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(String);

        impl $name {
            #[doc = concat!("A `", stringify!($name), "` holding `text`.")]
            pub fn new(text: impl Into<String>) -> Self {
                Self(text.into())
            }

            /// The text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text, owned.
            #[must_use]
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                Self(text)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self(text.to_owned())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0)
            }
        }
    };
}

text_type! {
    /// A URI; ZenML's dashboard renders it as a link (tag `Uri`).
    ///
    /// ```
    /// use run_metadata::{MetadataValue, ToMetadata, Uri};
    ///
    /// let uri = Uri::new("https://console.example/run/1");
    /// assert!(matches!(uri.to_metadata(), MetadataValue::Uri(_)));
    /// ```
    Uri
}

text_type! {
    /// A filesystem path (tag `Path`).
    ///
    /// A `std::path::Path` that is not valid UTF-8 is converted with
    /// [`to_string_lossy`](std::path::Path::to_string_lossy): the bytes that are not UTF-8 show
    /// as `U+FFFD`, visibly.
    ///
    /// ```
    /// use run_metadata::Path;
    ///
    /// let p = Path::from(std::path::Path::new("/data/train.csv"));
    /// assert_eq!(p.as_str(), "/data/train.csv");
    /// ```
    Path
}

text_type! {
    /// The name of a data type, as numpy spells it (tag `DType`).
    ///
    /// ```
    /// use run_metadata::DType;
    ///
    /// assert_eq!(DType::of::<f32>().as_str(), "float32");
    /// assert_eq!(DType::of::<u8>().as_str(), "uint8");
    /// assert_eq!(DType::of::<bool>().as_str(), "bool");
    /// ```
    DType
}

impl From<&std::path::Path> for Path {
    fn from(path: &std::path::Path) -> Self {
        Self(path.to_string_lossy().into_owned())
    }
}

impl From<std::path::PathBuf> for Path {
    fn from(path: std::path::PathBuf) -> Self {
        match path.into_os_string().into_string() {
            Ok(text) => Self(text),
            Err(raw) => Self(raw.to_string_lossy().into_owned()),
        }
    }
}

/// A Rust type with a numpy dtype name, for [`DType::of`].
///
/// Implemented for `bool` and the numeric primitives numpy has; implement it for your own numeric
/// types (a `half::f16` would be `"float16"`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no numpy dtype name",
    label = "not a numpy dtype",
    note = "numpy dtypes exist for bool, f32, f64 and the integers up to 64 bits; implement `run_metadata::HasDType` for a numeric type of your own, or use `DType::new(\"name\")`"
)]
pub trait HasDType {
    /// numpy's name for the type.
    const DTYPE: &'static str;
}

macro_rules! has_dtype {
    ($($t:ty => $name:literal),* $(,)?) => {$(
        impl HasDType for $t {
            const DTYPE: &'static str = $name;
        }
    )*};
}

has_dtype! {
    bool => "bool",
    f32 => "float32", f64 => "float64",
    i8 => "int8", i16 => "int16", i32 => "int32", i64 => "int64",
    u8 => "uint8", u16 => "uint16", u32 => "uint32", u64 => "uint64",
}

#[cfg(target_pointer_width = "64")]
has_dtype! { isize => "int64", usize => "uint64" }
#[cfg(target_pointer_width = "32")]
has_dtype! { isize => "int32", usize => "uint32" }
#[cfg(target_pointer_width = "16")]
has_dtype! { isize => "int16", usize => "uint16" }

impl DType {
    /// numpy's name of `T`'s data type.
    #[must_use]
    pub fn of<T: HasDType + ?Sized>() -> Self {
        Self(T::DTYPE.to_owned())
    }
}

/// A size in bytes; the dashboard shows it in binary units (tag `StorageSize`).
///
/// ```
/// use run_metadata::StorageSize;
///
/// assert_eq!(StorageSize::new(512).to_string(), "512 B");
/// assert_eq!(StorageSize::new(1536).to_string(), "1.50 KiB");
/// assert_eq!(StorageSize::new(3 << 29).to_string(), "1.50 GiB");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StorageSize(u64);

impl StorageSize {
    /// A size of `bytes` bytes.
    #[must_use]
    pub const fn new(bytes: u64) -> Self {
        Self(bytes)
    }

    /// The size in bytes.
    #[must_use]
    pub const fn bytes(self) -> u64 {
        self.0
    }
}

impl From<u64> for StorageSize {
    fn from(bytes: u64) -> Self {
        Self(bytes)
    }
}

impl fmt::Display for StorageSize {
    #[allow(clippy::cast_precision_loss)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        if self.0 < 1024 {
            return write!(f, "{} B", self.0);
        }
        let mut unit = 0;
        let mut scaled = self.0 as f64 / 1024.0;
        // Move up while the two-decimal form would read 1024.00 or more.
        while scaled >= 1023.995 && unit + 1 < UNITS.len() {
            scaled /= 1024.0;
            unit += 1;
        }
        write!(f, "{scaled:.2} {}", UNITS[unit])
    }
}
