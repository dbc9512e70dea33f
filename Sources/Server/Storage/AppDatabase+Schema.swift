import GRDB

extension AppDatabase {
    /// Named, append-only migrations: never edit one that has shipped; add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-reference-data") { db in
            try db.execute(sql: """
                CREATE TABLE communes (
                    code TEXT PRIMARY KEY CHECK (length(code) = 5 AND code NOT GLOB '*[^0-9]*'),
                    name TEXT NOT NULL CHECK (length(name) > 0),
                    kind TEXT NOT NULL CHECK (kind IN ('xa', 'phuong')),
                    former_province TEXT NOT NULL,
                    valid_from TEXT NOT NULL,
                    valid_to TEXT
                );
                CREATE TABLE agencies (
                    code TEXT PRIMARY KEY CHECK (length(code) BETWEEN 2 AND 20),
                    name TEXT NOT NULL CHECK (length(name) > 0),
                    kind TEXT NOT NULL CHECK (kind IN ('department', 'commune_committee')),
                    commune_code TEXT REFERENCES communes(code),
                    unit_code TEXT NOT NULL UNIQUE,
                    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                    CHECK ((kind = 'commune_committee') = (commune_code IS NOT NULL))
                );
                CREATE TABLE feedback_categories (
                    code TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    name_en TEXT NOT NULL,
                    routing_agency TEXT REFERENCES agencies(code),
                    routes_to_commune INTEGER NOT NULL CHECK (routes_to_commune IN (0, 1)),
                    urgency TEXT NOT NULL CHECK (urgency IN ('urgent', 'normal', 'complex')),
                    receive_within INTEGER NOT NULL CHECK (receive_within > 0),
                    receive_unit TEXT NOT NULL CHECK (receive_unit IN ('hours', 'days')),
                    answer_within INTEGER NOT NULL CHECK (answer_within > 0),
                    answer_unit TEXT NOT NULL CHECK (answer_unit IN ('hours', 'days')),
                    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                    CHECK ((routing_agency IS NULL) = (routes_to_commune = 1))
                );
                CREATE TABLE procedures (
                    code TEXT PRIMARY KEY CHECK (code GLOB '[0-9].[0-9][0-9][0-9][0-9][0-9][0-9]*'),
                    name TEXT NOT NULL,
                    agency_code TEXT REFERENCES agencies(code),
                    fee INTEGER NOT NULL CHECK (fee >= 0),
                    processing_days INTEGER NOT NULL CHECK (processing_days > 0),
                    required_documents TEXT NOT NULL CHECK (json_valid(required_documents)),
                    fields TEXT NOT NULL CHECK (json_valid(fields)),
                    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
                );
                CREATE TABLE calendar_days (
                    date TEXT PRIMARY KEY CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
                    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'compensatory', 'working_day')),
                    name TEXT NOT NULL
                );
                CREATE TABLE reference_versions (
                    version TEXT PRIMARY KEY,
                    loaded_at REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v1-users") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY,
                    role TEXT NOT NULL CHECK (role IN ('citizen', 'official', 'supervisor', 'admin')),
                    phone TEXT UNIQUE CHECK (phone GLOB '+84[35789][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
                    cccd TEXT UNIQUE CHECK (length(cccd) = 12 AND cccd NOT GLOB '*[^0-9]*'),
                    username TEXT UNIQUE,
                    display_name TEXT,
                    agency_code TEXT REFERENCES agencies(code),
                    password_hash TEXT,
                    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
                    tokens_valid_after REAL,
                    created_at REAL NOT NULL,
                    CHECK ((role = 'citizen') = (phone IS NOT NULL)),
                    CHECK (role = 'citizen' OR (username IS NOT NULL AND password_hash IS NOT NULL)),
                    CHECK ((role IN ('official', 'supervisor')) = (agency_code IS NOT NULL))
                );
                """)
        }
        migrator.registerMigration("v1-feedback") { db in
            try db.execute(sql: """
                CREATE TABLE feedback (
                    id TEXT PRIMARY KEY,
                    tracking_code TEXT UNIQUE,
                    citizen_id TEXT NOT NULL REFERENCES users(id),
                    category_code TEXT NOT NULL REFERENCES feedback_categories(code),
                    title TEXT NOT NULL CHECK (length(title) > 0),
                    description TEXT NOT NULL CHECK (length(description) > 0),
                    search_key TEXT NOT NULL,
                    latitude REAL CHECK (latitude BETWEEN -90 AND 90),
                    longitude REAL CHECK (longitude BETWEEN -180 AND 180),
                    commune_code TEXT REFERENCES communes(code),
                    address TEXT,
                    photos TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(photos)),
                    is_anonymous INTEGER NOT NULL CHECK (is_anonymous IN (0, 1)),
                    is_public INTEGER NOT NULL CHECK (is_public IN (0, 1)),
                    urgency TEXT NOT NULL CHECK (urgency IN ('urgent', 'normal', 'complex')),
                    status TEXT NOT NULL CHECK (status IN ('submitted', 'received', 'assigned', 'in_progress',
                        'resolved', 'closed', 'rejected', 'withdrawn', 'reopened')),
                    agency_code TEXT REFERENCES agencies(code),
                    assignee_id TEXT REFERENCES users(id),
                    received_at REAL,
                    acknowledge_due_at REAL,
                    answer_due_at REAL,
                    answer TEXT,
                    resolved_at REAL,
                    closed_at REAL,
                    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
                    rating_comment TEXT,
                    rated_at REAL,
                    rejection_reason TEXT CHECK (rejection_reason IN ('spam', 'out_of_scope', 'duplicate')),
                    rejection_note TEXT,
                    duplicate_of TEXT REFERENCES feedback(id),
                    reopen_count INTEGER NOT NULL DEFAULT 0 CHECK (reopen_count >= 0),
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
                    CHECK ((latitude IS NULL) = (longitude IS NULL)),
                    CHECK (latitude IS NOT NULL OR commune_code IS NOT NULL),
                    CHECK (status = 'submitted' OR tracking_code IS NOT NULL),
                    CHECK (status IN ('submitted', 'received', 'withdrawn') OR agency_code IS NOT NULL),
                    CHECK ((status = 'rejected') = (rejection_reason IS NOT NULL)),
                    CHECK ((rejection_reason = 'duplicate') = (duplicate_of IS NOT NULL) OR rejection_reason IS NULL),
                    CHECK (duplicate_of IS NULL OR duplicate_of <> id)
                );
                CREATE INDEX feedback_queue ON feedback(agency_code, status, answer_due_at);
                CREATE INDEX feedback_by_citizen ON feedback(citizen_id, created_at);
                CREATE INDEX feedback_by_commune ON feedback(commune_code);
                CREATE INDEX feedback_by_category ON feedback(category_code);

                CREATE TABLE feedback_messages (
                    id TEXT PRIMARY KEY,
                    feedback_id TEXT NOT NULL REFERENCES feedback(id),
                    author_id TEXT NOT NULL REFERENCES users(id),
                    author_role TEXT NOT NULL CHECK (author_role IN ('citizen', 'official', 'supervisor')),
                    body TEXT NOT NULL CHECK (length(body) > 0),
                    created_at REAL NOT NULL
                );
                CREATE INDEX feedback_messages_by_item ON feedback_messages(feedback_id, created_at);
                """)
        }
        migrator.registerMigration("v1-service-requests") { db in
            try db.execute(sql: """
                CREATE TABLE service_requests (
                    id TEXT PRIMARY KEY,
                    dossier_code TEXT UNIQUE,
                    citizen_id TEXT NOT NULL REFERENCES users(id),
                    procedure_code TEXT NOT NULL REFERENCES procedures(code),
                    agency_code TEXT NOT NULL REFERENCES agencies(code),
                    fields TEXT NOT NULL CHECK (json_valid(fields)),
                    documents TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(documents)),
                    fee INTEGER NOT NULL CHECK (fee >= 0),
                    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'received', 'in_processing',
                        'supplement_requested', 'result_ready', 'completed', 'rejected', 'withdrawn')),
                    submitted_at REAL,
                    received_at REAL,
                    promised_at REAL,
                    due_at REAL,
                    paused_at REAL,
                    remaining_minutes INTEGER CHECK (remaining_minutes >= 0),
                    supplement_missing TEXT,
                    supplement_requested_at REAL,
                    supplement_supplied_at REAL,
                    apology_reason TEXT,
                    apology_new_due_at REAL,
                    apology_issued_at REAL,
                    apology_replaced_due_at REAL,
                    result_ready_at REAL,
                    finished_at REAL,
                    timeliness TEXT CHECK (timeliness IN ('early', 'on_time', 'late')),
                    closing_reason TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
                    CHECK (status IN ('draft', 'submitted', 'withdrawn', 'rejected') OR dossier_code IS NOT NULL),
                    CHECK ((status = 'completed') = (timeliness IS NOT NULL)),
                    CHECK ((paused_at IS NULL) = (remaining_minutes IS NULL))
                );
                CREATE INDEX service_requests_queue ON service_requests(agency_code, status, due_at);
                CREATE INDEX service_requests_by_citizen ON service_requests(citizen_id, created_at);
                """)
        }
        migrator.registerMigration("v1-payments") { db in
            try db.execute(sql: """
                CREATE TABLE invoices (
                    id TEXT PRIMARY KEY,
                    citizen_id TEXT NOT NULL REFERENCES users(id),
                    agency_code TEXT NOT NULL REFERENCES agencies(code),
                    purpose TEXT NOT NULL CHECK (purpose IN ('service_fee', 'school_fee', 'hospital_fee', 'other')),
                    description TEXT NOT NULL,
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    service_request_id TEXT REFERENCES service_requests(id),
                    status TEXT NOT NULL CHECK (status IN ('open', 'paid', 'cancelled', 'refunded')),
                    issued_at REAL NOT NULL,
                    paid_at REAL,
                    payment_id TEXT,
                    CHECK ((purpose = 'service_fee') = (service_request_id IS NOT NULL)),
                    CHECK ((status IN ('paid', 'refunded')) = (payment_id IS NOT NULL))
                );
                CREATE UNIQUE INDEX invoices_one_fee_per_request ON invoices(service_request_id)
                    WHERE service_request_id IS NOT NULL;
                CREATE INDEX invoices_by_citizen ON invoices(citizen_id, issued_at);

                CREATE TABLE payments (
                    id TEXT PRIMARY KEY,
                    invoice_id TEXT NOT NULL REFERENCES invoices(id),
                    citizen_id TEXT NOT NULL REFERENCES users(id),
                    agency_code TEXT NOT NULL REFERENCES agencies(code),
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    method TEXT NOT NULL CHECK (method IN ('vietqr', 'card', 'ewallet', 'sandbox')),
                    idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 8 AND 255),
                    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
                    provider_reference TEXT,
                    created_at REAL NOT NULL,
                    settled_at REAL,
                    failure_reason TEXT,
                    UNIQUE (citizen_id, idempotency_key)
                );
                CREATE UNIQUE INDEX payments_one_success_per_invoice ON payments(invoice_id) WHERE status = 'succeeded';

                CREATE TABLE receipt_counters (
                    agency_code TEXT NOT NULL REFERENCES agencies(code),
                    series TEXT NOT NULL,
                    last_number INTEGER NOT NULL CHECK (last_number >= 1),
                    PRIMARY KEY (agency_code, series)
                ) WITHOUT ROWID;

                CREATE TABLE receipts (
                    id TEXT PRIMARY KEY,
                    payment_id TEXT NOT NULL UNIQUE REFERENCES payments(id),
                    invoice_id TEXT NOT NULL REFERENCES invoices(id),
                    citizen_id TEXT NOT NULL REFERENCES users(id),
                    agency_code TEXT NOT NULL REFERENCES agencies(code),
                    series TEXT NOT NULL,
                    number INTEGER NOT NULL CHECK (number >= 1),
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    amount_in_words TEXT NOT NULL,
                    description TEXT NOT NULL,
                    issued_at REAL NOT NULL,
                    UNIQUE (agency_code, series, number)
                );
                CREATE TRIGGER receipts_immutable_update BEFORE UPDATE ON receipts
                    BEGIN SELECT RAISE(ABORT, 'receipts are immutable'); END;
                CREATE TRIGGER receipts_immutable_delete BEFORE DELETE ON receipts
                    BEGIN SELECT RAISE(ABORT, 'receipts are immutable'); END;

                CREATE TABLE refunds (
                    id TEXT PRIMARY KEY,
                    payment_id TEXT NOT NULL REFERENCES payments(id),
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    reason TEXT NOT NULL CHECK (length(reason) > 0),
                    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
                    requested_by TEXT NOT NULL REFERENCES users(id),
                    requested_at REAL NOT NULL,
                    settled_at REAL
                );
                CREATE INDEX refunds_by_payment ON refunds(payment_id);
                """)
        }
        migrator.registerMigration("v1-history-and-change-log") { db in
            try db.execute(sql: """
                CREATE TABLE daily_sequences (
                    kind TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    day TEXT NOT NULL,
                    last_value INTEGER NOT NULL CHECK (last_value >= 1),
                    PRIMARY KEY (kind, scope, day)
                ) WITHOUT ROWID;

                CREATE TABLE history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    item_kind TEXT NOT NULL CHECK (item_kind IN ('feedback', 'service_request', 'invoice', 'payment', 'refund')),
                    item_id TEXT NOT NULL,
                    at REAL NOT NULL,
                    actor_id TEXT NOT NULL,
                    actor_role TEXT NOT NULL CHECK (actor_role IN ('citizen', 'official', 'supervisor', 'admin', 'system')),
                    device_id TEXT,
                    action TEXT NOT NULL,
                    from_status TEXT,
                    to_status TEXT NOT NULL,
                    reason TEXT
                );
                CREATE INDEX history_by_item ON history(item_kind, item_id, id);
                CREATE TRIGGER history_append_only_update BEFORE UPDATE ON history
                    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
                CREATE TRIGGER history_append_only_delete BEFORE DELETE ON history
                    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;

                -- What the sync protocol reads: one row per change, in commit order (one writer).
                CREATE TABLE change_log (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    entity TEXT NOT NULL CHECK (entity IN ('feedback', 'feedback_message', 'service_request',
                        'invoice', 'payment', 'receipt', 'refund', 'catalog')),
                    entity_id TEXT NOT NULL,
                    op TEXT NOT NULL CHECK (op IN ('put', 'remove')),
                    owner_id TEXT,
                    agency_code TEXT,
                    left_agency_code TEXT,
                    is_public INTEGER NOT NULL DEFAULT 0 CHECK (is_public IN (0, 1)),
                    at REAL NOT NULL
                );
                CREATE INDEX change_log_by_owner ON change_log(owner_id, seq);
                CREATE INDEX change_log_by_agency ON change_log(agency_code, seq);
                CREATE INDEX change_log_by_left_agency ON change_log(left_agency_code, seq) WHERE left_agency_code IS NOT NULL;
                CREATE TRIGGER change_log_append_only_update BEFORE UPDATE ON change_log
                    BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END;
                CREATE TRIGGER change_log_append_only_delete BEFORE DELETE ON change_log
                    BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END;
                """)
        }
        migrator.registerMigration("v2-auth") { db in
            try db.execute(sql: """
                ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0);
                ALTER TABLE users ADD COLUMN locked_until REAL;

                CREATE TABLE otp_codes (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    phone TEXT NOT NULL,
                    code_hash TEXT NOT NULL CHECK (length(code_hash) = 64),
                    created_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    consumed_at REAL
                );
                CREATE INDEX otp_codes_by_phone ON otp_codes(phone, created_at);

                CREATE TABLE refresh_tokens (
                    id TEXT PRIMARY KEY,
                    family_id TEXT NOT NULL,
                    user_id TEXT NOT NULL REFERENCES users(id),
                    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
                    generation INTEGER NOT NULL CHECK (generation >= 1),
                    issued_at REAL NOT NULL,
                    family_expires_at REAL NOT NULL,
                    used_at REAL,
                    revoked_at REAL
                );
                CREATE INDEX refresh_tokens_by_family ON refresh_tokens(family_id, generation);
                CREATE INDEX refresh_tokens_by_user ON refresh_tokens(user_id);
                """)
        }
        migrator.registerMigration("v3-sync") { db in
            try db.execute(sql: """
                CREATE TABLE server_meta (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                );
                -- A new database is a new epoch: cursors from another one are refused.
                INSERT INTO server_meta (key, value) VALUES ('epoch', lower(hex(randomblob(8))));
                INSERT INTO server_meta (key, value) VALUES ('sync_horizon', '0');

                CREATE TABLE devices (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(id),
                    name TEXT,
                    platform TEXT,
                    last_seq INTEGER NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
                    created_at REAL NOT NULL,
                    last_seen_at REAL NOT NULL
                );
                CREATE INDEX devices_by_user ON devices(user_id);

                -- The stored verdict of every applied or rejected write, written in the same
                -- transaction as its effects and the device's last_seq.
                CREATE TABLE mutation_results (
                    device_id TEXT NOT NULL REFERENCES devices(id),
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    mutation_id TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
                    entity TEXT NOT NULL,
                    entity_id TEXT NOT NULL,
                    code TEXT,
                    message_vi TEXT,
                    message_en TEXT,
                    at REAL NOT NULL,
                    PRIMARY KEY (device_id, seq)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v4-attachments") { db in
            try db.execute(sql: """
                -- Content-addressed: the key is the SHA-256 of the content, so an upload is idempotent.
                CREATE TABLE attachments (
                    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
                    media_type TEXT NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'application/pdf')),
                    size INTEGER NOT NULL CHECK (size > 0 AND size <= 5242880),
                    content BLOB NOT NULL,
                    uploader_id TEXT NOT NULL REFERENCES users(id),
                    created_at REAL NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v5-payment-flow") { db in
            try db.execute(sql: """
                -- The request a key was first used with: the same key with another request is refused.
                ALTER TABLE payments ADD COLUMN request_hash TEXT;
                ALTER TABLE refunds ADD COLUMN provider_reference TEXT;

                -- Every provider callback received, accepted or not: replays are answered from here,
                -- and refused ones (unknown payment, wrong amount) stay on record.
                CREATE TABLE provider_callbacks (
                    message_id TEXT PRIMARY KEY CHECK (length(message_id) BETWEEN 1 AND 255),
                    payment_id TEXT,
                    received_at REAL NOT NULL,
                    body TEXT NOT NULL,
                    outcome TEXT NOT NULL
                ) WITHOUT ROWID;

                -- Double-entry, append-only: each transaction's debits equal its credits (checked when
                -- posted and by `reconcile`); corrections are new transactions.
                CREATE TABLE ledger_entries (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    transaction_id TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('payment', 'refund')),
                    account TEXT NOT NULL,
                    debit INTEGER NOT NULL CHECK (debit >= 0),
                    credit INTEGER NOT NULL CHECK (credit >= 0),
                    payment_id TEXT NOT NULL REFERENCES payments(id),
                    refund_id TEXT REFERENCES refunds(id),
                    provider_reference TEXT NOT NULL,
                    posted_at REAL NOT NULL,
                    CHECK ((debit = 0) <> (credit = 0))
                );
                CREATE INDEX ledger_by_transaction ON ledger_entries(transaction_id);
                CREATE INDEX ledger_by_reference ON ledger_entries(provider_reference);
                CREATE TRIGGER ledger_append_only_update BEFORE UPDATE ON ledger_entries
                    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
                CREATE TRIGGER ledger_append_only_delete BEFORE DELETE ON ledger_entries
                    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
                """)
        }
        migrator.registerMigration("v6-queue-order-indexes") { db in
            try db.execute(sql: """
                -- The queue's orders (due, age) per agency: with a status IN-list the planner walked
                -- every open item of the agency and sorted it (0.4 s with a million items); these let
                -- it read the first page in order and stop.
                CREATE INDEX feedback_queue_due ON feedback(agency_code, answer_due_at, id);
                CREATE INDEX feedback_queue_age ON feedback(agency_code, received_at, id);
                """)
        }
        migrator.registerMigration("v7-check-lists-as-comparisons") { db in
            // The CHECK constraints' lists of three or more values as comparisons, which SQLite
            // evaluates without building a b-tree of the list for every row written
            // (`ConstantLists`; filing one feedback item built eleven). Same checks, same rows.
            try ConstantLists.expandInTables(db)
        }
        migrator.registerMigration("v8-list-order-indexes") { db in
            try db.execute(sql: """
                -- Lists read in the order they are shown, so a page stops after its rows: the public
                -- list newest first (it scanned every item and sorted the public ones: 0.2 s a page
                -- with 116,000 items), an agency's list newest first and its queue by priority (each
                -- sorted every item of the agency). The priority expression is written exactly as
                -- `FeedbackQuery.priorityKey`, or the planner cannot use the index.
                CREATE INDEX feedback_public_newest ON feedback(created_at, id) WHERE is_public = 1 AND status <> 'submitted';
                CREATE INDEX feedback_agency_newest ON feedback(agency_code, created_at, id);
                CREATE INDEX feedback_queue_priority ON feedback(agency_code, (CASE urgency WHEN 'urgent' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END), answer_due_at, id);
                """)
        }
        migrator.registerMigration("v9-feedback-public-views") { db in
            try db.execute(sql: """
                -- The JSON view every citizen but the reporter may read of a public item
                -- (`Feedback.publicViewJSON`), written with each write of the item while it is
                -- public, removed when it no longer is; a citizen's pull page copies it. Apart from
                -- `feedback`, whose rows it would double (the sync digest scans them all), and
                -- keyed by the item's rowid, which a page's row already has. Items written before
                -- v9 have none until their next write: their pages make the view as before.
                CREATE TABLE feedback_public_views (
                    feedback_rowid INTEGER PRIMARY KEY,
                    json TEXT NOT NULL
                );
                -- Feedback is never deleted; if it ever is, its view goes with it (a rowid can be
                -- reused).
                CREATE TRIGGER feedback_public_views_follow_delete AFTER DELETE ON feedback
                    BEGIN DELETE FROM feedback_public_views WHERE feedback_rowid = old.rowid; END;
                """)
        }
        return migrator
    }
}
