//! The outbox's tables in the store's file, and their migrations: installed by the outbox on
//! its first use of a file, kept up to date as it changes.

use crate::store::{Part, Store, StoreError};

/// The outbox's part of the store's file.
pub(crate) const OUTBOX_PART: Part = Part {
    name: "zenml_outbox",
    migrations: &[
        // 1 (file schema 2): the outbox of metadata a ZenML server did not take yet, in publishing
        //    order.
        "CREATE TABLE outbox (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             server TEXT NOT NULL,
             resource_id TEXT NOT NULL,
             resource_type TEXT NOT NULL,
             component_id TEXT,
             component_name TEXT,
             component_kind TEXT,
             metadata_values TEXT NOT NULL,
             metadata_types TEXT NOT NULL,
             created INTEGER NOT NULL,
             attempts INTEGER NOT NULL DEFAULT 0,
             last_error TEXT
         );
         CREATE INDEX outbox_by_server ON outbox (server, id);",
        // 2 (file schema 3): steps of a registered run that the server could not register when they
        //    started.
        "CREATE TABLE outbox_steps (
             local_id TEXT PRIMARY KEY,
             server TEXT NOT NULL,
             run_id TEXT NOT NULL,
             name TEXT NOT NULL,
             status TEXT NOT NULL,
             started INTEGER NOT NULL,
             finished INTEGER,
             created INTEGER NOT NULL
         );",
        // 3 (file schema 4): final statuses of runs and steps the server could not take when they
        //    finished.
        "CREATE TABLE outbox_statuses (
             server TEXT NOT NULL,
             resource_id TEXT NOT NULL,
             resource_type TEXT NOT NULL,
             status TEXT NOT NULL,
             finished INTEGER NOT NULL,
             created INTEGER NOT NULL,
             PRIMARY KEY (server, resource_id)
         );",
        // 4 (file schema 6): runs that started while a ZenML server was away, to be registered by
        //    `sync`, with their planned steps (a JSON array of `{"name", "upstream"}`).
        "CREATE TABLE outbox_runs (
             local_id TEXT PRIMARY KEY,
             server TEXT NOT NULL,
             pipeline TEXT NOT NULL,
             name TEXT NOT NULL,
             steps TEXT NOT NULL,
             status TEXT NOT NULL,
             started INTEGER NOT NULL,
             finished INTEGER,
             created INTEGER NOT NULL
         );",
        // 5 (file schema 7): what a server refused (a 4xx) is parked with the reason, not sent
        //    again unless asked.
        "ALTER TABLE outbox ADD COLUMN refused TEXT;
         ALTER TABLE outbox_runs ADD COLUMN refused TEXT;
         ALTER TABLE outbox_steps ADD COLUMN refused TEXT;
         ALTER TABLE outbox_statuses ADD COLUMN refused TEXT;",
        // 6 (file schema 8): the ZenML servers this store has reached, by their own id, at their
        //    last URL: the outbox is keyed by the id, so a server that moves keeps what waits for
        //    it.
        "CREATE TABLE zenml_servers (
             id TEXT PRIMARY KEY,
             url TEXT NOT NULL,
             seen INTEGER NOT NULL
         );",
        // 7 (file schema 9): delivery as a write-ahead log. A run kept to be registered carries its
        //    stack (name and components, JSON) so that a replay registers it on that stack; ids the
        //    server gave to local runs and steps are remembered, so a record written under the old
        //    id finds the new one; one lease per server says which process sends (and what it was
        //    sending, should it die); the clock counts every item kept, so a sender sees what
        //    arrived while it sent.
        "ALTER TABLE outbox_runs ADD COLUMN stack_components TEXT;
         CREATE TABLE zenml_ids (
             local_id TEXT PRIMARY KEY,
             remote_id TEXT NOT NULL,
             server TEXT NOT NULL
         );
         CREATE TABLE outbox_leases (
             server TEXT PRIMARY KEY,
             owner TEXT NOT NULL,
             pid INTEGER NOT NULL,
             expires INTEGER NOT NULL,
             inflight TEXT
         );
         CREATE TABLE outbox_clock (
             id INTEGER PRIMARY KEY CHECK (id = 0),
             kept INTEGER NOT NULL
         );
         INSERT INTO outbox_clock (id, kept) VALUES (0, 0);
         CREATE INDEX outbox_steps_by_server ON outbox_steps (server, started);
         CREATE INDEX outbox_runs_by_server ON outbox_runs (server, started);",
    ],
    legacy: &[2, 3, 4, 6, 7, 8, 9],
};

/// Makes the outbox's tables in `store`, or brings them up to date: before anything is kept.
pub(crate) fn install(store: &Store) -> Result<(), StoreError> {
    store.install(&OUTBOX_PART)
}

/// Whether `store` has the outbox's tables, brought up to date if an older build left them:
/// a store the outbox never used keeps nothing, and is not written to by a read.
pub(crate) fn used(store: &Store) -> Result<bool, StoreError> {
    store.has(&OUTBOX_PART)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use rusqlite::Connection;

    use super::OUTBOX_PART;
    use crate::map::metadata::Metadata;
    use crate::runs::resource::Resource;
    use crate::store::{SCHEMA_VERSION, STORE_PART, Store, StoreError};
    use crate::zenml::outbox::Outbox;

    fn file(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rm-parts-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("store.db")
    }

    /// A file as builds before parts wrote it at file schema `version`: one list of migrations,
    /// the store's and the outbox's interleaved.
    fn legacy(path: &PathBuf, version: i32) {
        let (store, outbox) = (STORE_PART.migrations, OUTBOX_PART.migrations);
        let combined = [
            store[0], outbox[0], outbox[1], outbox[2], store[1], outbox[3], outbox[4], outbox[5],
            outbox[6],
        ];
        let conn = Connection::open(path).unwrap();
        for (at, migration) in (1..).zip(&combined[..usize::try_from(version).unwrap()]) {
            conn.execute_batch(migration).unwrap();
            assert!(
                STORE_PART.legacy.contains(&at) != OUTBOX_PART.legacy.contains(&at),
                "file schema {at} is one part's"
            );
        }
        conn.execute_batch(&format!(
            "PRAGMA application_id = 1380795732; PRAGMA user_version = {version};"
        ))
        .unwrap();
    }

    /// Keeps `{"k": 1}` for a run.
    fn keep(outbox: &Outbox, store: &mut Store) -> Result<i64, StoreError> {
        let values: Metadata = crate::metadata! { "k" => 1 };
        outbox.keep_metadata(
            store,
            Resource::pipeline_run(uuid::Uuid::nil()),
            None,
            &values,
        )
    }

    #[test]
    fn a_store_the_outbox_never_used_has_no_outbox_tables_and_keeps_nothing() {
        let path = file("fresh");
        let mut store = Store::open(&path).unwrap();
        let outbox = Outbox::new("http://server");
        assert_eq!(outbox.count(&store).unwrap().total(), 0);
        assert!(outbox.metadata(&store, true).unwrap().is_empty());
        let tables = |store: &Store| -> i64 {
            store
                .conn()
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE name LIKE 'outbox%'",
                    [],
                    |r| r.get(0),
                )
                .unwrap()
        };
        assert_eq!(tables(&store), 0);
        keep(&outbox, &mut store).unwrap();
        assert!(tables(&store) > 0);
        assert_eq!(outbox.count(&store).unwrap().metadata, 1);
    }

    #[test]
    fn files_of_every_schema_before_parts_open_with_what_they_kept() {
        for version in 1..=9 {
            let path = file(&format!("legacy-{version}"));
            legacy(&path, version);
            let had_outbox = version >= 2;
            if had_outbox {
                let conn = Connection::open(&path).unwrap();
                conn.execute(
                    "INSERT INTO outbox (server, resource_id, resource_type, metadata_values,
                         metadata_types, created)
                     VALUES ('http://server', ?1, 'pipeline_run', '{\"k\":1}', '{\"k\":\"int\"}', 0)",
                    [uuid::Uuid::nil().to_string()],
                )
                .unwrap();
            }
            let mut store = Store::open(&path).unwrap();
            let version_now: i32 = store
                .conn()
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            assert_eq!(version_now, SCHEMA_VERSION, "from {version}");
            let outbox = Outbox::new("http://server");
            assert_eq!(
                outbox.count(&store).unwrap().metadata,
                usize::from(had_outbox),
                "from {version}"
            );
            // Keeping brings the outbox's tables up to date from where the file left them.
            keep(&outbox, &mut store).unwrap();
            assert_eq!(
                outbox.count(&store).unwrap().metadata,
                1 + usize::from(had_outbox),
                "from {version}"
            );
            let versions = (
                store.part_version(&STORE_PART).unwrap(),
                store.part_version(&OUTBOX_PART).unwrap(),
            );
            assert_eq!(versions, (2, 7), "from {version}");
        }
    }

    #[test]
    fn outbox_tables_of_a_newer_build_are_refused_and_left_alone() {
        let path = file("newer");
        let mut store = Store::open(&path).unwrap();
        let outbox = Outbox::new("http://server");
        keep(&outbox, &mut store).unwrap();
        store
            .conn()
            .execute(
                "UPDATE schema_parts SET version = 99 WHERE part = 'zenml_outbox'",
                [],
            )
            .unwrap();
        let err = keep(&outbox, &mut store).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::NewerPart {
                    found: 99,
                    supported: 7,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("newer than this build's 7"),
            "{err}"
        );
        // Not read either (its tables may mean something else now), and not changed.
        assert!(matches!(
            outbox.count(&store),
            Err(StoreError::NewerPart { .. })
        ));
        let kept: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, 1);
    }

    #[test]
    fn opening_a_store_that_is_up_to_date_writes_nothing() {
        let path = file("quiet");
        let outbox = Outbox::new("http://server");
        keep(&outbox, &mut Store::open(&path).unwrap()).unwrap();
        let watcher = Connection::open(&path).unwrap();
        let version = || -> i64 {
            watcher
                .query_row("PRAGMA data_version", [], |r| r.get(0))
                .unwrap()
        };
        let before = version();
        let store = Store::open(&path).unwrap();
        assert_eq!(outbox.count(&store).unwrap().metadata, 1);
        drop(store);
        assert_eq!(version(), before, "an open and a read committed a change");
        keep(&outbox, &mut Store::open(&path).unwrap()).unwrap();
        assert_ne!(version(), before, "the watcher sees commits");
    }

    #[test]
    fn a_part_behind_or_ahead_in_a_store_opened_for_reading_is_named() {
        // Outbox tables of file schema 4, the store brought to 10 by a writer that did not use
        // them.
        let path = file("read-only");
        legacy(&path, 4);
        drop(Store::open(&path).unwrap());
        let outbox = Outbox::new("http://server");
        let reader = Store::open_read_only(&path).unwrap();
        let err = outbox.count(&reader).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::OlderPart {
                    found: 3,
                    supported: 7,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("with write access"), "{err}");
        // Used once through a writer, it reads.
        assert_eq!(
            outbox.count(&Store::open(&path).unwrap()).unwrap().total(),
            0
        );
        assert_eq!(outbox.count(&reader).unwrap().total(), 0);
        // The store's own tables from a newer build: refused by a reader as by a writer.
        Connection::open(&path)
            .unwrap()
            .execute(
                "UPDATE schema_parts SET version = 9 WHERE part = 'store'",
                [],
            )
            .unwrap();
        for err in [
            Store::open_read_only(&path).map(drop).unwrap_err(),
            Store::open(&path).map(drop).unwrap_err(),
        ] {
            assert!(
                matches!(
                    err,
                    StoreError::NewerPart {
                        found: 9,
                        supported: 2,
                        ..
                    }
                ),
                "{err:?}"
            );
        }
    }
}
