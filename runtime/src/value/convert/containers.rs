//! Containers: `Option`, smart pointers, lists, tuples, sets and maps, each converting its
//! elements; sets and hash maps in their elements' order.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::BuildHasher;
use std::rc::Rc;
use std::sync::Arc;

use super::traits::{MetadataKey, ToMetadata};
use crate::value::tree::{MetadataType, MetadataValue};

fn collect_seq<'a, T: ToMetadata + 'a>(
    items: impl IntoIterator<Item = &'a T>,
) -> Vec<MetadataValue> {
    items.into_iter().filter_map(T::to_metadata_opt).collect()
}

impl<T: ToMetadata> ToMetadata for Option<T> {
    const METADATA_TYPE: Option<MetadataType> = T::METADATA_TYPE;

    /// The inner value; `None` gives an empty string (see
    /// [`to_metadata_opt`](ToMetadata::to_metadata_opt), which everything here uses).
    #[inline]
    fn to_metadata(&self) -> MetadataValue {
        self.to_metadata_opt()
            .unwrap_or_else(|| MetadataValue::Str(String::new()))
    }

    #[inline]
    fn to_metadata_opt(&self) -> Option<MetadataValue> {
        self.as_ref().and_then(T::to_metadata_opt)
    }
}

macro_rules! forward {
    ($(impl[$($g:tt)*] $t:ty;)*) => {$(
        impl<$($g)*> ToMetadata for $t {
            const METADATA_TYPE: Option<MetadataType> = T::METADATA_TYPE;

            #[inline]
            fn to_metadata(&self) -> MetadataValue {
                T::to_metadata(self)
            }

            #[inline]
            fn to_metadata_opt(&self) -> Option<MetadataValue> {
                T::to_metadata_opt(self)
            }
        }
    )*};
}

forward! {
    impl[T: ToMetadata + ?Sized] &T;
    impl[T: ToMetadata + ?Sized] &mut T;
    impl[T: ToMetadata + ?Sized] Box<T>;
    impl[T: ToMetadata + ?Sized] Rc<T>;
    impl[T: ToMetadata + ?Sized] Arc<T>;
    impl['a, T: ToMetadata + ToOwned + ?Sized] Cow<'a, T>;
}

macro_rules! lists {
    ($(impl[$($g:tt)*] $t:ty;)*) => {$(
        impl<$($g)*> ToMetadata for $t {
            const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::List);

            #[inline]
            fn to_metadata(&self) -> MetadataValue {
                MetadataValue::List(collect_seq(self.iter()))
            }
        }
    )*};
}

lists! {
    impl[T: ToMetadata] [T];
    impl[T: ToMetadata, const N: usize] [T; N];
    impl[T: ToMetadata] Vec<T>;
    impl[T: ToMetadata] VecDeque<T>;
}

macro_rules! tuples {
    ($(($($name:ident)+))*) => {$(
        impl<$($name: ToMetadata),+> ToMetadata for ($($name,)+) {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Tuple);

            #[inline]
            #[allow(non_snake_case)]
            fn to_metadata(&self) -> MetadataValue {
                let ($($name,)+) = self;
                let mut items = Vec::with_capacity([$(stringify!($name)),+].len());
                $(items.extend($name.to_metadata_opt());)+
                MetadataValue::Tuple(items)
            }
        }
    )*};
}

tuples! {
    (A)
    (A B)
    (A B C)
    (A B C D)
    (A B C D E)
    (A B C D E F)
    (A B C D E F G)
    (A B C D E F G H)
    (A B C D E F G H I)
    (A B C D E F G H I J)
    (A B C D E F G H I J K)
    (A B C D E F G H I J K L)
}

fn set_of<'a, T: ToMetadata + 'a>(sorted: impl IntoIterator<Item = &'a T>) -> MetadataValue {
    let mut items = collect_seq(sorted);
    // Distinct Rust values can convert to one metadata value (`Some(1)` and `1` inside one
    // enum, say); a set stays a set.
    items.dedup();
    MetadataValue::Set(items)
}

impl<T: ToMetadata + Ord> ToMetadata for BTreeSet<T> {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Set);

    fn to_metadata(&self) -> MetadataValue {
        set_of(self)
    }
}

impl<T: ToMetadata + Ord, S: BuildHasher> ToMetadata for HashSet<T, S> {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Set);

    /// Ordered by `T`'s `Ord`, so the output does not depend on the hasher.
    fn to_metadata(&self) -> MetadataValue {
        let mut sorted: Vec<&T> = self.iter().collect();
        sorted.sort_unstable();
        set_of(sorted)
    }
}

impl MetadataKey for str {
    fn to_key(&self) -> String {
        self.to_owned()
    }
}

impl MetadataKey for String {
    fn to_key(&self) -> String {
        self.clone()
    }
}

impl MetadataKey for char {
    fn to_key(&self) -> String {
        self.to_string()
    }
}

macro_rules! integer_keys {
    ($($t:ty)*) => {$(
        impl MetadataKey for $t {
            fn to_key(&self) -> String {
                itoa::Buffer::new().format(*self).to_owned()
            }
        }
    )*};
}
integer_keys!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);

macro_rules! forward_keys {
    ($(impl[$($g:tt)*] $t:ty;)*) => {$(
        impl<$($g)*> MetadataKey for $t {
            fn to_key(&self) -> String {
                T::to_key(self)
            }
        }
    )*};
}

forward_keys! {
    impl[T: MetadataKey + ?Sized] &T;
    impl[T: MetadataKey + ?Sized] Box<T>;
    impl[T: MetadataKey + ?Sized] Rc<T>;
    impl[T: MetadataKey + ?Sized] Arc<T>;
    impl['a, T: MetadataKey + ToOwned + ?Sized] Cow<'a, T>;
}

fn dict_of<'a, K, V>(sorted: impl IntoIterator<Item = (&'a K, &'a V)>) -> MetadataValue
where
    K: MetadataKey + 'a + ?Sized,
    V: ToMetadata + 'a,
{
    MetadataValue::Dict(
        sorted
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_key(), v.to_metadata_opt()?)))
            .collect(),
    )
}

impl<K: MetadataKey + Ord, V: ToMetadata> ToMetadata for BTreeMap<K, V> {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Dict);

    fn to_metadata(&self) -> MetadataValue {
        dict_of(self)
    }
}

impl<K: MetadataKey + Ord, V: ToMetadata, S: BuildHasher> ToMetadata for HashMap<K, V, S> {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Dict);

    /// Ordered by `K`'s `Ord` (integer keys numerically), so the output does not depend on the
    /// hasher.
    fn to_metadata(&self) -> MetadataValue {
        let mut sorted: Vec<(&K, &V)> = self.iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        dict_of(sorted)
    }
}
