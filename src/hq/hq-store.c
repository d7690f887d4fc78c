/* hq-store.c: what HQ keeps and decides: stores, tills, pushed documents,
 * master data and the roll-ups it reports from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hq-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "hq-store.h"

/* The till's PIN verifier (src/core/till-user.c): scrypt with RFC 7914's
 * interactive parameters over the PIN's digits, a 16-byte salt, 32 bytes out.
 * HQ must compute exactly this so that a PIN set here signs in at the till. */
#define PIN_KDF "scrypt:16384:8:1"
#define PIN_SALT_LEN 16
#define PIN_HASH_LEN 32
#define PIN_SCRYPT_N 16384
#define PIN_SCRYPT_R 8
#define PIN_SCRYPT_P 1
#define PIN_SCRYPT_MEM (64 * 1024 * 1024)
#define PIN_MIN_DIGITS 4
#define PIN_MAX_DIGITS 8

/* The setting through which HQ tells a till its store's group: a "settings"
 * row scoped "store:<id>" whose value is the group id, "" for none. HQ
 * writes it whenever the store's group is set, and nobody else may. */
#define STORE_GROUP_KEY "store.group"

/* SYNC.md §5 6.1: HQ flags a till whose clock is off by more than this. */
#define CLOCK_SKEW_LIMIT_US (5 * G_TIME_SPAN_MINUTE)

/* A whole batch is retried this many times when the database says another
 * transaction got in the way (SQLite busy, PostgreSQL serialization failure
 * or deadlock). */
#define BUSY_ATTEMPTS 6

struct _HqStore
{
  GObject parent_instance;

  HqDb *db;
};

G_DEFINE_FINAL_TYPE (HqStore, hq_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (hq - store - error - quark, hq_store_error)

/* --- Schema ------------------------------------------------------------------ */

/* Appended, never edited: a database at version N runs migrations N+1… . Each
 * entry is the SQLite text and the PostgreSQL text (NULL = the same). */
typedef struct
{
  const char *sqlite_sql;
  const char *postgres_sql;
} Migration;

#define MIGRATION_1_COMMON                                                \
  "CREATE TABLE hq_group ("                                               \
  "  group_id TEXT PRIMARY KEY,"                                          \
  "  name     TEXT NOT NULL);"                                            \
  "CREATE TABLE hq_store ("                                               \
  "  store_id TEXT PRIMARY KEY,"                                          \
  "  name     TEXT NOT NULL,"                                             \
  "  group_id TEXT REFERENCES hq_group (group_id));"                      \
  "CREATE TABLE till ("                                                   \
  "  till_id          TEXT PRIMARY KEY,"                                  \
  "  store_id         TEXT NOT NULL REFERENCES hq_store (store_id),"      \
  "  till_no          BIGINT NOT NULL,"                                   \
  "  epoch            BIGINT NOT NULL,"                                   \
  "  cert_fingerprint TEXT UNIQUE,"                                       \
  "  journal_key      TEXT NOT NULL,"                                     \
  "  enrolled_us      BIGINT NOT NULL,"                                   \
  "  last_seen_us     BIGINT NOT NULL DEFAULT 0,"                         \
  "  clock_skew_us    BIGINT NOT NULL DEFAULT 0,"                         \
  "  head_seq         BIGINT NOT NULL DEFAULT 0,"                         \
  "  head_hash        TEXT);"                                             \
  "CREATE TABLE till_epoch ("                                             \
  "  till_id       TEXT NOT NULL REFERENCES till (till_id),"              \
  "  epoch         BIGINT NOT NULL,"                                      \
  "  acked_through BIGINT," /* NULL until the epoch's first batch */      \
  "  PRIMARY KEY (till_id, epoch));"                                      \
  "CREATE TABLE enroll_token ("                                           \
  "  token_hash TEXT PRIMARY KEY,"                                        \
  "  store_id   TEXT NOT NULL REFERENCES hq_store (store_id),"            \
  "  till_no    BIGINT NOT NULL,"                                         \
  "  created_us BIGINT NOT NULL,"                                         \
  "  expires_us BIGINT NOT NULL,"                                         \
  "  used_us    BIGINT);"                                                 \
  "CREATE TABLE document ("                                               \
  "  kind           TEXT NOT NULL,"                                       \
  "  ref_uuid       TEXT NOT NULL,"                                       \
  "  till_id        TEXT NOT NULL,"                                       \
  "  epoch          BIGINT NOT NULL,"                                     \
  "  seq            BIGINT NOT NULL,"                                     \
  "  store_id       TEXT NOT NULL,"                                       \
  "  business_day   TEXT,"                                                \
  "  payload_sha256 TEXT NOT NULL,"                                       \
  "  payload        TEXT NOT NULL,"                                       \
  "  received_us    BIGINT NOT NULL,"                                     \
  "  late_arrival   BIGINT NOT NULL DEFAULT 0,"                           \
  "  PRIMARY KEY (kind, ref_uuid),"                                       \
  "  UNIQUE (till_id, epoch, seq));"                                      \
  "CREATE INDEX document_store_day ON document (store_id, business_day);" \
  "CREATE TABLE sales_product_day ("                                      \
  "  store_id     TEXT NOT NULL,"                                         \
  "  business_day TEXT NOT NULL,"                                         \
  "  sku          TEXT NOT NULL,"                                         \
  "  name         TEXT NOT NULL,"                                         \
  "  quantity     BIGINT NOT NULL DEFAULT 0,"                             \
  "  amount       BIGINT NOT NULL DEFAULT 0,"                             \
  "  PRIMARY KEY (store_id, business_day, sku));"                         \
  "CREATE TABLE sales_store_day ("                                        \
  "  store_id     TEXT NOT NULL,"                                         \
  "  business_day TEXT NOT NULL,"                                         \
  "  receipts     BIGINT NOT NULL DEFAULT 0,"                             \
  "  returns      BIGINT NOT NULL DEFAULT 0,"                             \
  "  total        BIGINT NOT NULL DEFAULT 0,"                             \
  "  PRIMARY KEY (store_id, business_day));"                              \
  "CREATE TABLE master_row ("                                             \
  "  channel    TEXT NOT NULL,"                                           \
  "  id         TEXT NOT NULL,"                                           \
  "  scope      TEXT NOT NULL,"                                           \
  "  data       TEXT,"                                                    \
  "  version    BIGINT NOT NULL,"                                         \
  "  deleted    BIGINT NOT NULL DEFAULT 0,"                               \
  "  deleted_us BIGINT,"                                                  \
  "  PRIMARY KEY (channel, id, scope));"                                  \
  "CREATE INDEX master_row_version ON master_row (channel, version);"     \
  "CREATE TABLE change_counter (value BIGINT NOT NULL);"                  \
  "INSERT INTO change_counter (value) VALUES (0);"                        \
  "CREATE TABLE channel_floor ("                                          \
  "  channel TEXT PRIMARY KEY,"                                           \
  "  floor   BIGINT NOT NULL);"

static const Migration migrations[] = {
  { MIGRATION_1_COMMON "CREATE TABLE incident ("
                       "  id         INTEGER PRIMARY KEY,"
                       "  created_us BIGINT NOT NULL,"
                       "  till_id    TEXT,"
                       "  kind       TEXT NOT NULL,"
                       "  detail     TEXT NOT NULL);",
    MIGRATION_1_COMMON "CREATE TABLE incident ("
                       "  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                       "  created_us BIGINT NOT NULL,"
                       "  till_id    TEXT,"
                       "  kind       TEXT NOT NULL,"
                       "  detail     TEXT NOT NULL);" },
  /* Every store tells its tills its group (STORE_GROUP_KEY): the rows of
   * the stores made before this migration, one new version each, in the
   * form put_store_group_row_locked() writes (ids are letters, digits and
   * "-_.", so they need no JSON escaping). The WHERE keeps SQLite from
   * reading ON CONFLICT as a join constraint. */
  { "INSERT INTO master_row (channel, id, scope, data, version, deleted, deleted_us) "
    "SELECT 'settings', 'store.group', 'store:' || store_id, "
    " '{\"key\":\"store.group\",\"value\":\"' || coalesce (group_id, '') || '\"}', "
    " (SELECT value FROM change_counter) + row_number () OVER (ORDER BY store_id), 0, NULL "
    "FROM hq_store WHERE true "
    "ON CONFLICT (channel, id, scope) DO UPDATE SET data = excluded.data, "
    "version = excluded.version, deleted = 0, deleted_us = NULL;"
    "UPDATE change_counter SET value = value + (SELECT count(*) FROM hq_store);",
    NULL },
  /* The Z reports of every till (issue 10), one row per "z-report"
   * document, with HQ's verdict on its continuity with the till's previous
   * Z (see record_z_reports). Keyed by the document's uuid, not by
   * (till, z_no): a second Z under one number is kept and flagged, never
   * dropped. */
  { "CREATE TABLE z_report ("
    "  uuid          TEXT PRIMARY KEY,"
    "  till_id       TEXT NOT NULL,"
    "  store_id      TEXT NOT NULL,"
    "  z_no          BIGINT NOT NULL,"
    "  day_uuid      TEXT,"
    "  business_day  TEXT,"
    "  opened_us     BIGINT,"
    "  closed_us     BIGINT,"
    "  sales_total   BIGINT NOT NULL,"
    "  returns_total BIGINT NOT NULL,"
    "  grand_total   BIGINT NOT NULL,"
    "  grand_sales   BIGINT,"
    "  grand_returns BIGINT,"
    "  totals        TEXT,"
    "  continuity    TEXT NOT NULL,"
    "  detail        TEXT,"
    "  received_us   BIGINT NOT NULL);"
    "CREATE INDEX z_report_till ON z_report (till_id, z_no);"
    "CREATE INDEX z_report_store ON z_report (store_id, till_id, z_no);",
    NULL },
};

static gboolean
migrate (HqDb *db, GError **error)
{
  g_autoptr (HqDbRows) rows = NULL;
  gint64 version = 0;

  if (!hq_db_begin (db, error))
    return FALSE;
  if (!hq_db_exec (db, "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)",
                   error))
    goto fail;
  /* Two HQ processes starting at once on one PostgreSQL database must not
   * both run a migration. */
  if (hq_db_is_postgres (db) &&
      !hq_db_exec (db, "LOCK TABLE schema_version IN ACCESS EXCLUSIVE MODE", error))
    goto fail;
  rows = hq_db_query (db, "SELECT max(version) FROM schema_version", NULL, 0, error);
  if (rows == NULL)
    goto fail;
  if (hq_db_rows_get_n_rows (rows) > 0)
    version = hq_db_rows_get_int (rows, 0, 0);
  if (version > (gint64) G_N_ELEMENTS (migrations))
    {
      g_set_error (
          error, HQ_STORE_ERROR, HQ_STORE_ERROR_FAILED,
          _ ("The database has schema version %" PRId64 ", newer than this opentill-hq knows (%u)"),
          version, (guint) G_N_ELEMENTS (migrations));
      goto fail;
    }
  for (gint64 v = version; v < (gint64) G_N_ELEMENTS (migrations); v++)
    {
      const Migration *migration = &migrations[v];
      const char      *sql = migration->sqlite_sql;
      HqDbValue        param = HQ_DB_V_INT (v + 1);

      if (hq_db_is_postgres (db) && migration->postgres_sql != NULL)
        sql = migration->postgres_sql;
      if (!hq_db_exec (db, sql, error) ||
          hq_db_execute (db, "INSERT INTO schema_version (version) VALUES ($1)", &param, 1, error) <
              0)
        {
          g_prefix_error (error, _ ("Migration %" PRId64 " failed: "), v + 1);
          goto fail;
        }
    }
  return hq_db_commit (db, error);

fail:
  hq_db_rollback (db);
  return FALSE;
}

/* --- Small helpers -------------------------------------------------------------- */

static gint64
now_us (void)
{
  return g_get_real_time ();
}

/* A GArray of HqDbValue for statements built at run time. */
static GArray *
params_new (guint reserve)
{
  return g_array_sized_new (FALSE, FALSE, sizeof (HqDbValue), reserve);
}

static void
params_add_text (GArray *params, const char *text)
{
  HqDbValue value = HQ_DB_V_TEXT (text);

  g_array_append_val (params, value);
}

static void
params_add_int (GArray *params, gint64 i)
{
  HqDbValue value = HQ_DB_V_INT (i);

  g_array_append_val (params, value);
}

/* Appends "($n,$n+1,…)" for @n_columns parameters starting after @params->len. */
static void
append_placeholders (GString *sql, guint first, guint n_columns)
{
  g_string_append_c (sql, '(');
  for (guint c = 0; c < n_columns; c++)
    g_string_append_printf (sql, c > 0 ? ",$%u" : "$%u", first + c);
  g_string_append_c (sql, ')');
}

static HqDbRows *
query (HqStore *self, const char *sql, GArray *params, GError **error)
{
  return hq_db_query (self->db, sql, params != NULL ? (HqDbValue *) params->data : NULL,
                      params != NULL ? params->len : 0, error);
}

static gint64
execute (HqStore *self, const char *sql, GArray *params, GError **error)
{
  return hq_db_execute (self->db, sql, params != NULL ? (HqDbValue *) params->data : NULL,
                        params != NULL ? params->len : 0, error);
}

static gboolean
add_incident (HqStore    *self,
              gint64      created_us,
              const char *till_id,
              const char *kind,
              const char *detail,
              GError    **error)
{
  HqDbValue params[] = {
    HQ_DB_V_INT (created_us),
    HQ_DB_V_TEXT (till_id),
    HQ_DB_V_TEXT (kind),
    HQ_DB_V_TEXT (detail),
  };

  g_message ("incident %s%s%s: %s", kind, till_id != NULL ? " at " : "",
             till_id != NULL ? till_id : "", detail);
  return hq_db_execute (self->db,
                        "INSERT INTO incident (created_us, till_id, kind, detail) "
                        "VALUES ($1, $2, $3, $4)",
                        params, G_N_ELEMENTS (params), error) >= 0;
}

/* Runs @body in a transaction of its own, or inside the caller's when one
 * is open (the import). */
static gboolean
begin_unless_open (HqStore *self, gboolean *out_began, GError **error)
{
  *out_began = !hq_db_in_transaction (self->db);
  return !*out_began || hq_db_begin (self->db, error);
}

static gboolean
commit_if_began (HqStore *self, gboolean began, gboolean ok, GError **error)
{
  if (!began)
    return ok;
  if (ok && hq_db_commit (self->db, error))
    return TRUE;
  hq_db_rollback (self->db);
  return FALSE;
}

static gboolean
text_is_id (const char *text)
{
  if (text == NULL || *text == '\0' || strlen (text) > 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

static gboolean
row_exists (HqStore *self, const char *sql, const char *key, gboolean *out_exists, GError **error)
{
  HqDbValue param = HQ_DB_V_TEXT (key);
  g_autoptr (HqDbRows) rows = hq_db_query (self->db, sql, &param, 1, error);

  if (rows == NULL)
    return FALSE;
  *out_exists = hq_db_rows_get_n_rows (rows) > 0;
  return TRUE;
}

/* --- JSON readers ------------------------------------------------------------ */

static const char *
json_get_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
json_get_int (JsonObject *object, const char *name, gint64 *out_value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out_value = json_node_get_int (node);
  return TRUE;
}

static JsonObject *
json_get_object (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
json_get_array (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
business_day_is_valid (const char *day)
{
  g_autoptr (GDateTime) parsed = NULL;
  g_autofree char *iso = NULL;

  if (day == NULL || strlen (day) != 10)
    return FALSE;
  iso = g_strconcat (day, "T00:00:00Z", NULL);
  parsed = g_date_time_new_from_iso8601 (iso, NULL);
  return parsed != NULL;
}

/* --- Push ---------------------------------------------------------------------- */

typedef enum
{
  DOC_SALE,
  DOC_RETURN,
  DOC_RECORD, /* kept as it came, no roll-ups: notes, members, top-ups, shifts, stock */
  DOC_Z,      /* kept, and a row of the till's Z reports (z_report) */
} DocKind;

/* The documents a till sends: the outbox kind, the member of the payload
 * that holds the document, and the member of that which is the item's
 * ref_uuid (each document's own uuid, which the till makes afresh even for
 * a second note on a sale or a second change of a member). */
static const struct
{
  const char *kind;
  const char *payload_key;
  DocKind     doc_kind;
} document_kinds[] = {
  { "sale", "sale", DOC_SALE },
  { "return", "return", DOC_RETURN },
  { "sale-note", "sale_note", DOC_RECORD },
  { "member", "member", DOC_RECORD },
  { "sv-top-up", "sv_top_up", DOC_RECORD },
  { "shift", "shift", DOC_RECORD },
  { "cash-movement", "cash_movement", DOC_RECORD },
  { "purchase-order", "purchase_order", DOC_RECORD },
  { "goods-receipt", "goods_receipt", DOC_RECORD },
  { "stock-adjustment", "stock_adjustment", DOC_RECORD },
  { "stocktake", "stocktake", DOC_RECORD },
  { "stock-transfer", "stock_transfer", DOC_RECORD },
  { "z-report", "z_report", DOC_Z },
};

typedef struct
{
  char  *sku;
  char  *name;
  gint64 quantity;
  gint64 amount;
} DocLine;

static void
doc_line_clear (gpointer data)
{
  DocLine *line = data;

  g_free (line->sku);
  g_free (line->name);
}

/* What HQ reads from a Z report (src/core/till-shift.h, TillShiftReport). */
typedef struct
{
  gint64   z_no;
  char    *day_uuid;
  gint64   opened_us; /* 0: not given */
  gint64   closed_us;
  gint64   sales_total;
  gint64   returns_total;
  gint64   grand_total;
  gboolean has_grand_parts;
  gint64   grand_sales;
  gint64   grand_returns;
  char    *totals; /* the "totals" member as JSON text, or NULL */
} ZReport;

static void
z_report_free (ZReport *z)
{
  g_free (z->day_uuid);
  g_free (z->totals);
  g_free (z);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZReport, z_report_free)

/* What HQ makes of one pushed item. */
typedef struct
{
  const TillWireItem *item;
  TillWireItemStatus  status;
  char               *reason;
  DocKind             kind;
  char               *business_day; /* NULL for a sale note */
  gint64              total;        /* a sale's total, a return's refund total */
  GArray             *lines;        /* DocLine */
  ZReport            *z;            /* DOC_Z only */
  gboolean            late_arrival;
  gboolean            inserted;
} ItemState;

static void
item_state_clear (gpointer data)
{
  ItemState *state = data;

  g_free (state->reason);
  g_free (state->business_day);
  g_clear_pointer (&state->lines, g_array_unref);
  g_clear_pointer (&state->z, z_report_free);
}

static void
item_state_reject (ItemState *state, const char *reason)
{
  state->status = TILL_WIRE_ITEM_REJECTED;
  g_free (state->reason);
  state->reason = g_strdup (reason);
}

static gboolean
parse_lines (JsonObject *doc, ItemState *state)
{
  JsonArray *lines = json_get_array (doc, "lines");

  if (lines == NULL)
    return FALSE;
  state->lines = g_array_sized_new (FALSE, FALSE, sizeof (DocLine), json_array_get_length (lines));
  g_array_set_clear_func (state->lines, doc_line_clear);
  for (guint i = 0; i < json_array_get_length (lines); i++)
    {
      JsonNode   *node = json_array_get_element (lines, i);
      JsonObject *line_object;
      const char *sku, *name;
      DocLine     line = { 0 };

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return FALSE;
      line_object = json_node_get_object (node);
      sku = json_get_string (line_object, "sku");
      name = json_get_string (line_object, "name");
      if (sku == NULL || *sku == '\0' || name == NULL ||
          !json_get_int (line_object, "quantity", &line.quantity) ||
          !json_get_int (line_object, "amount", &line.amount))
        return FALSE;
      line.sku = g_strdup (sku);
      line.name = g_strdup (name);
      g_array_append_val (state->lines, line);
    }
  return TRUE;
}

/* A time of the till's documents: "<name>_us", or "<name>" when the till
 * wrote it without the suffix; 0 when neither is a whole number. */
static gint64
json_get_time_us (JsonObject *object, const char *name)
{
  g_autofree char *with_suffix = g_strconcat (name, "_us", NULL);
  gint64           value = 0;

  if (!json_get_int (object, with_suffix, &value) && !json_get_int (object, name, &value))
    return 0;
  return MAX (value, 0);
}

/* The business day a Z closed: its own "business_day" when it says, else
 * the day (HQ's time zone) it was taken, else NULL. */
static char *
z_report_business_day (JsonObject *doc, gint64 closed_us)
{
  const char *day = json_get_string (doc, "business_day");
  g_autoptr (GDateTime) closed = NULL;

  if (business_day_is_valid (day))
    return g_strdup (day);
  if (closed_us <= 0)
    return NULL;
  closed = g_date_time_new_from_unix_local (closed_us / G_USEC_PER_SEC);
  return closed != NULL ? g_date_time_format (closed, "%Y-%m-%d") : NULL;
}

/* A Z report needs its number and the figures its continuity is checked
 * with; the rest is kept when present. */
static void
parse_z_report (JsonObject *doc, ItemState *state)
{
  g_autoptr (ZReport) z = g_new0 (ZReport, 1);
  JsonNode *totals = json_object_get_member (doc, "totals");

  if (!json_get_int (doc, "z_no", &z->z_no) || z->z_no < 1 ||
      !json_get_int (doc, "sales_total", &z->sales_total) ||
      !json_get_int (doc, "returns_total", &z->returns_total) ||
      !json_get_int (doc, "grand_total", &z->grand_total))
    {
      item_state_reject (state, "z_report lacks z_no (1 or more), sales_total, returns_total or "
                                "grand_total");
      return;
    }
  z->has_grand_parts = json_get_int (doc, "grand_sales", &z->grand_sales) &&
                       json_get_int (doc, "grand_returns", &z->grand_returns);
  z->day_uuid = g_strdup (json_get_string (doc, "day_uuid"));
  z->opened_us = json_get_time_us (doc, "opened");
  z->closed_us = json_get_time_us (doc, "closed");
  if (totals != NULL && JSON_NODE_HOLDS_OBJECT (totals))
    z->totals = json_to_string (totals, FALSE);
  state->business_day = z_report_business_day (doc, z->closed_us);
  state->z = g_steal_pointer (&z);
}

/* Reads what HQ needs from the payload (the outbox's form, till-outbox.h:
 * {"<kind>":{…},"journal_seq":N,"journal_hash":"…"}), or rejects the item. */
static void
parse_item (JsonParser *parser, ItemState *state, const char *received_day)
{
  const TillWireItem *item = state->item;
  g_autoptr (GError) local_error = NULL;
  JsonNode   *root;
  JsonObject *envelope, *doc;
  const char *payload_key = NULL;
  gint64      journal_seq;

  if (!till_wire_item_hash_ok (item))
    {
      item_state_reject (state, "payload does not match its sha256");
      return;
    }
  for (gsize k = 0; k < G_N_ELEMENTS (document_kinds); k++)
    if (g_strcmp0 (item->kind, document_kinds[k].kind) == 0)
      {
        state->kind = document_kinds[k].doc_kind;
        payload_key = document_kinds[k].payload_key;
      }
  if (payload_key == NULL)
    {
      g_autofree char *reason = g_strdup_printf ("unknown kind \"%s\"", item->kind);

      item_state_reject (state, reason);
      return;
    }

  if (!json_parser_load_from_data (parser, item->payload, -1, &local_error))
    {
      g_autofree char *reason = g_strdup_printf ("payload is not JSON: %s", local_error->message);

      item_state_reject (state, reason);
      return;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      item_state_reject (state, "payload is not a JSON object");
      return;
    }
  envelope = json_node_get_object (root);
  doc = json_get_object (envelope, payload_key);
  if (doc == NULL || !json_get_int (envelope, "journal_seq", &journal_seq) ||
      json_get_string (envelope, "journal_hash") == NULL)
    {
      g_autofree char *reason =
          g_strdup_printf ("payload lacks \"%s\", journal_seq or journal_hash", payload_key);

      item_state_reject (state, reason);
      return;
    }
  if (g_strcmp0 (json_get_string (doc, "uuid"), item->ref_uuid) != 0)
    {
      g_autofree char *reason = g_strdup_printf ("%s.uuid is not the item's ref", payload_key);

      item_state_reject (state, reason);
      return;
    }
  if (state->kind == DOC_RECORD)
    return;
  if (state->kind == DOC_Z)
    {
      parse_z_report (doc, state);
      return;
    }

  state->business_day = g_strdup (json_get_string (doc, "business_day"));
  if (!business_day_is_valid (state->business_day) ||
      !json_get_int (doc, state->kind == DOC_SALE ? "total" : "refund_total", &state->total) ||
      !parse_lines (doc, state))
    {
      g_autofree char *reason =
          g_strdup_printf ("%s lacks a business_day, its total or well-formed lines", payload_key);

      item_state_reject (state, reason);
      return;
    }
  state->late_arrival = strcmp (received_day, state->business_day) > 0;
}

/* Rows per multi-row statement, from a few fixed sizes. The SQL text of such
 * a statement depends on its row count, and each text is prepared once and
 * kept (in hq-db, and on PostgreSQL's side too): batches of every size must
 * not make new texts without end. */
static guint
chunk_rows (guint remaining)
{
  static const guint sizes[] = { 64, 16, 4, 1 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    if (remaining >= sizes[i])
      return sizes[i];
  return 0;
}

/* Inserts the loadable items, many rows to a statement; marks those stored now. */
static gboolean
insert_documents (HqStore             *self,
                  const HqTill        *till,
                  const TillWireBatch *batch,
                  GArray              *states,
                  gint64               received_us,
                  GError             **error)
{
  g_autoptr (GHashTable) by_seq = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint next = 0;
  guint left = 0;

  for (guint i = 0; i < states->len; i++)
    {
      ItemState *state = &g_array_index (states, ItemState, i);

      g_hash_table_insert (by_seq, (gpointer) &state->item->seq, state);
      if (state->status == TILL_WIRE_ITEM_OK)
        left++;
    }

  while (left > 0)
    {
      guint chunk = chunk_rows (left);
      g_autoptr (GString) sql = g_string_new (
          "INSERT INTO document (kind, ref_uuid, till_id, epoch, seq, store_id, business_day, "
          "payload_sha256, payload, received_us, late_arrival) VALUES ");
      g_autoptr (GArray) params = params_new (chunk * 11);
      g_autoptr (HqDbRows) rows = NULL;
      guint n_rows = 0;

      for (; next < states->len && n_rows < chunk; next++)
        {
          ItemState *state = &g_array_index (states, ItemState, next);

          if (state->status != TILL_WIRE_ITEM_OK)
            continue;
          if (n_rows > 0)
            g_string_append_c (sql, ',');
          append_placeholders (sql, params->len + 1, 11);
          params_add_text (params, state->item->kind);
          params_add_text (params, state->item->ref_uuid);
          params_add_text (params, till->till_id);
          params_add_int (params, batch->epoch);
          params_add_int (params, state->item->seq);
          params_add_text (params, till->store_id);
          params_add_text (params, state->business_day);
          params_add_text (params, state->item->sha256);
          params_add_text (params, state->item->payload);
          params_add_int (params, received_us);
          params_add_int (params, state->late_arrival ? 1 : 0);
          n_rows++;
        }
      left -= n_rows;
      g_string_append (sql, " ON CONFLICT DO NOTHING RETURNING seq");
      rows = query (self, sql->str, params, error);
      if (rows == NULL)
        return FALSE;
      for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
        {
          gint64     seq = hq_db_rows_get_int (rows, r, 0);
          ItemState *state = g_hash_table_lookup (by_seq, &seq);

          if (state != NULL)
            state->inserted = TRUE;
        }
    }
  return TRUE;
}

/* For the items that were not stored now: the same document stored before
 * (duplicate), another payload under its key or another document under its
 * seq (conflict). */
static gboolean
classify_not_inserted (HqStore             *self,
                       const HqTill        *till,
                       const TillWireBatch *batch,
                       GArray              *states,
                       gint64               received_us,
                       GError             **error)
{
  for (gsize k = 0; k < G_N_ELEMENTS (document_kinds); k++)
    {
      g_autoptr (GString) sql =
          g_string_new ("SELECT ref_uuid, payload_sha256, till_id, epoch, seq FROM document "
                        "WHERE kind = $1 AND ref_uuid IN (");
      g_autoptr (GArray) params = params_new (64);
      g_autoptr (HqDbRows) rows = NULL;
      g_autoptr (GHashTable) stored = NULL;

      params_add_text (params, document_kinds[k].kind);
      for (guint i = 0; i < states->len; i++)
        {
          ItemState *state = &g_array_index (states, ItemState, i);

          if (state->status != TILL_WIRE_ITEM_OK || state->inserted ||
              strcmp (state->item->kind, document_kinds[k].kind) != 0)
            continue;
          g_string_append_printf (sql, params->len > 1 ? ",$%u" : "$%u", params->len + 1);
          params_add_text (params, state->item->ref_uuid);
        }
      if (params->len == 1)
        continue;
      g_string_append_c (sql, ')');
      rows = query (self, sql->str, params, error);
      if (rows == NULL)
        return FALSE;
      stored = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
        g_hash_table_insert (stored, (gpointer) hq_db_rows_get_text (rows, r, 0),
                             GUINT_TO_POINTER (r + 1));

      for (guint i = 0; i < states->len; i++)
        {
          ItemState       *state = &g_array_index (states, ItemState, i);
          g_autofree char *detail = NULL;
          guint            row;

          if (state->status != TILL_WIRE_ITEM_OK || state->inserted ||
              strcmp (state->item->kind, document_kinds[k].kind) != 0)
            continue;
          row = GPOINTER_TO_UINT (g_hash_table_lookup (stored, state->item->ref_uuid));
          if (row > 0 &&
              g_strcmp0 (hq_db_rows_get_text (rows, row - 1, 1), state->item->sha256) == 0)
            {
              state->status = TILL_WIRE_ITEM_DUPLICATE;
              continue;
            }
          state->status = TILL_WIRE_ITEM_CONFLICT;
          if (row > 0)
            {
              state->reason =
                  g_strdup ("the same document was received before with another payload");
              detail = g_strdup_printf (
                  "%s %s (seq %" PRId64 "): payload %s differs from the one stored from %s "
                  "epoch %" PRId64 " seq %" PRId64 " (%s); the stored one is kept",
                  state->item->kind, state->item->ref_uuid, state->item->seq, state->item->sha256,
                  hq_db_rows_get_text (rows, row - 1, 2), hq_db_rows_get_int (rows, row - 1, 3),
                  hq_db_rows_get_int (rows, row - 1, 4), hq_db_rows_get_text (rows, row - 1, 1));
            }
          else
            {
              state->reason = g_strdup ("this seq was received before with another document");
              detail = g_strdup_printf ("epoch %u seq %" PRId64 " came as %s %s but HQ holds "
                                        "another document under that seq",
                                        batch->epoch, state->item->seq, state->item->kind,
                                        state->item->ref_uuid);
            }
          if (!add_incident (self, received_us, till->till_id, "conflict", detail, error))
            return FALSE;
        }
    }
  return TRUE;
}

typedef struct
{
  const char *business_day;
  const char *sku;
  const char *name;
  gint64      quantity;
  gint64      amount;
} ProductDelta;

typedef struct
{
  const char *business_day;
  gint64      receipts;
  gint64      returns;
  gint64      total;
} DayDelta;

/* The values of @table (g_hash_table_get_values_as_ptr_array is GLib 2.76). */
static GPtrArray *
hash_values (GHashTable *table)
{
  GPtrArray     *values = g_ptr_array_sized_new (g_hash_table_size (table));
  GHashTableIter iter;
  gpointer       value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (values, value);
  return values;
}

static int
compare_product_deltas (gconstpointer a, gconstpointer b)
{
  const ProductDelta *x = *(const ProductDelta *const *) a;
  const ProductDelta *y = *(const ProductDelta *const *) b;
  int                 c = strcmp (x->business_day, y->business_day);

  return c != 0 ? c : strcmp (x->sku, y->sku);
}

static int
compare_day_deltas (gconstpointer a, gconstpointer b)
{
  const DayDelta *x = *(const DayDelta *const *) a;
  const DayDelta *y = *(const DayDelta *const *) b;

  return strcmp (x->business_day, y->business_day);
}

/* Adds the new sales and returns of the batch to the roll-ups: summed per
 * day and product in memory first, then one upsert per chunk, in key order
 * so that two tills of one store never wait on each other in a cycle. */
static gboolean
update_rollups (HqStore *self, const HqTill *till, GArray *states, GError **error)
{
  g_autoptr (GHashTable) products = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GHashTable) days = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr (GPtrArray) product_list = NULL;
  g_autoptr (GPtrArray) day_list = NULL;

  for (guint i = 0; i < states->len; i++)
    {
      ItemState *state = &g_array_index (states, ItemState, i);
      gint64     sign = state->kind == DOC_RETURN ? -1 : 1;
      DayDelta  *day;

      if (!state->inserted || (state->kind != DOC_SALE && state->kind != DOC_RETURN))
        continue;
      day = g_hash_table_lookup (days, state->business_day);
      if (day == NULL)
        {
          day = g_new0 (DayDelta, 1);
          day->business_day = state->business_day;
          g_hash_table_insert (days, (gpointer) state->business_day, day);
        }
      if (state->kind == DOC_SALE)
        day->receipts++;
      else
        day->returns++;
      day->total += sign * state->total;

      for (guint l = 0; l < state->lines->len; l++)
        {
          DocLine         *line = &g_array_index (state->lines, DocLine, l);
          g_autofree char *key = g_strconcat (state->business_day, "\x1f", line->sku, NULL);
          ProductDelta    *delta = g_hash_table_lookup (products, key);

          if (delta == NULL)
            {
              delta = g_new0 (ProductDelta, 1);
              delta->business_day = state->business_day;
              delta->sku = line->sku;
              g_hash_table_insert (products, g_steal_pointer (&key), delta);
            }
          delta->name = line->name;
          delta->quantity += sign * line->quantity;
          delta->amount += sign * line->amount;
        }
    }

  product_list = hash_values (products);
  g_ptr_array_sort (product_list, compare_product_deltas);
  for (guint next = 0; next < product_list->len;)
    {
      g_autoptr (GString) sql = g_string_new (
          "INSERT INTO sales_product_day (store_id, business_day, sku, name, quantity, amount) "
          "VALUES ");
      guint chunk = chunk_rows (product_list->len - next);
      g_autoptr (GArray) params = params_new (chunk * 6);

      for (guint n = 0; n < chunk; next++, n++)
        {
          ProductDelta *delta = g_ptr_array_index (product_list, next);

          if (n > 0)
            g_string_append_c (sql, ',');
          append_placeholders (sql, params->len + 1, 6);
          params_add_text (params, till->store_id);
          params_add_text (params, delta->business_day);
          params_add_text (params, delta->sku);
          params_add_text (params, delta->name);
          params_add_int (params, delta->quantity);
          params_add_int (params, delta->amount);
        }
      g_string_append (sql, " ON CONFLICT (store_id, business_day, sku) DO UPDATE SET "
                            "name = excluded.name, "
                            "quantity = sales_product_day.quantity + excluded.quantity, "
                            "amount = sales_product_day.amount + excluded.amount");
      if (execute (self, sql->str, params, error) < 0)
        return FALSE;
    }

  day_list = hash_values (days);
  g_ptr_array_sort (day_list, compare_day_deltas);
  for (guint next = 0; next < day_list->len;)
    {
      g_autoptr (GString) sql = g_string_new (
          "INSERT INTO sales_store_day (store_id, business_day, receipts, returns, total) VALUES ");
      guint chunk = chunk_rows (day_list->len - next);
      g_autoptr (GArray) params = params_new (chunk * 5);

      for (guint d = 0; d < chunk; next++, d++)
        {
          DayDelta *delta = g_ptr_array_index (day_list, next);

          if (d > 0)
            g_string_append_c (sql, ',');
          append_placeholders (sql, params->len + 1, 5);
          params_add_text (params, till->store_id);
          params_add_text (params, delta->business_day);
          params_add_int (params, delta->receipts);
          params_add_int (params, delta->returns);
          params_add_int (params, delta->total);
        }
      g_string_append (sql, " ON CONFLICT (store_id, business_day) DO UPDATE SET "
                            "receipts = sales_store_day.receipts + excluded.receipts, "
                            "returns = sales_store_day.returns + excluded.returns, "
                            "total = sales_store_day.total + excluded.total");
      if (execute (self, sql->str, params, error) < 0)
        return FALSE;
    }
  return TRUE;
}

/* --- Z reports ------------------------------------------------------------------ */

/* HQ's verdict on a Z report, kept in z_report.continuity. */
#define Z_CONTINUITY_OK "ok"
#define Z_CONTINUITY_GAP "gap"             /* HQ holds no Z numbered one less */
#define Z_CONTINUITY_MISMATCH "mismatch"   /* the grand total does not carry on */
#define Z_CONTINUITY_DUPLICATE "duplicate" /* another document under the same number */

typedef struct
{
  const char *till_id;
  const char *uuid;
  gint64      z_no;
  gint64      sales_total;
  gint64      returns_total;
  gint64      grand_total;
} ZFigures;

/* Whether the Z in @z follows the till's previous Z: that Z is z_no − 1 (or
 * none before Z 1, whose grand total starts at 0) and the grand total is
 * the previous one plus this day's sales less its returns. Sets the flag
 * (a Z_CONTINUITY_*) and, unless it is ok, a detail naming the numbers. */
static gboolean
z_check_continuity (
    HqStore *self, const ZFigures *z, const char **out_flag, char **out_detail, GError **error)
{
  HqDbValue params[] = {
    HQ_DB_V_TEXT (z->till_id),
    HQ_DB_V_INT (z->z_no - 1),
    HQ_DB_V_INT (z->z_no),
    HQ_DB_V_TEXT (z->uuid),
  };
  g_autoptr (HqDbRows) rows = NULL;
  gboolean has_previous = z->z_no == 1;
  gint64   previous_grand = 0;
  gint64   expected;

  rows = hq_db_query (self->db,
                      "SELECT uuid, z_no, grand_total FROM z_report "
                      "WHERE till_id = $1 AND z_no IN ($2, $3) AND uuid <> $4 "
                      "ORDER BY z_no DESC, received_us, uuid",
                      params, G_N_ELEMENTS (params), error);
  if (rows == NULL)
    return FALSE;
  for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
    {
      if (hq_db_rows_get_int (rows, r, 1) == z->z_no)
        {
          *out_flag = Z_CONTINUITY_DUPLICATE;
          *out_detail = g_strdup_printf (
              "Z %" PRId64 " came again as %s; HQ holds Z %" PRId64 " as %s already", z->z_no,
              z->uuid, z->z_no, hq_db_rows_get_text (rows, r, 0));
          return TRUE;
        }
      if (!has_previous)
        {
          has_previous = TRUE;
          previous_grand = hq_db_rows_get_int (rows, r, 2);
        }
    }
  if (!has_previous)
    {
      *out_flag = Z_CONTINUITY_GAP;
      *out_detail = g_strdup_printf ("Z %" PRId64 " (%s) arrived but HQ holds no Z %" PRId64,
                                     z->z_no, z->uuid, z->z_no - 1);
      return TRUE;
    }
  expected = previous_grand + z->sales_total - z->returns_total;
  if (z->grand_total != expected)
    {
      *out_flag = Z_CONTINUITY_MISMATCH;
      *out_detail =
          g_strdup_printf ("Z %" PRId64 " (%s) has grand total %" PRId64 " fen, but Z %" PRId64
                           "'s %" PRId64 " + sales %" PRId64 " - returns %" PRId64 " make %" PRId64,
                           z->z_no, z->uuid, z->grand_total, z->z_no - 1, previous_grand,
                           z->sales_total, z->returns_total, expected);
      return TRUE;
    }
  *out_flag = Z_CONTINUITY_OK;
  *out_detail = NULL;
  return TRUE;
}

/* A Z that does not follow on is kept all the same (a till's document is
 * never lost) but said loudly: in HQ's log and as an incident. */
static gboolean
z_report_discontinuity (
    HqStore *self, const char *till_id, const char *detail, gint64 received_us, GError **error)
{
  g_warning ("Z report continuity of till %s: %s", till_id, detail);
  return add_incident (self, received_us, till_id, "z-continuity", detail, error);
}

/* A Z flagged as a gap because it came before the Z numbered one less (that
 * one was held up, e.g. rejected, while later documents went on): now that
 * @previous_z_no is here, the later one is judged again. */
static gboolean
z_recheck_next (
    HqStore *self, const char *till_id, gint64 previous_z_no, gint64 received_us, GError **error)
{
  HqDbValue params[] = {
    HQ_DB_V_TEXT (till_id),
    HQ_DB_V_INT (previous_z_no + 1),
    HQ_DB_V_TEXT (Z_CONTINUITY_GAP),
  };
  g_autoptr (HqDbRows) rows =
      hq_db_query (self->db,
                   "SELECT uuid, sales_total, returns_total, grand_total FROM z_report "
                   "WHERE till_id = $1 AND z_no = $2 AND continuity = $3",
                   params, G_N_ELEMENTS (params), error);

  if (rows == NULL)
    return FALSE;
  for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
    {
      ZFigures         next = { .till_id = till_id,
                                .uuid = hq_db_rows_get_text (rows, r, 0),
                                .z_no = previous_z_no + 1,
                                .sales_total = hq_db_rows_get_int (rows, r, 1),
                                .returns_total = hq_db_rows_get_int (rows, r, 2),
                                .grand_total = hq_db_rows_get_int (rows, r, 3) };
      const char      *flag = NULL;
      g_autofree char *detail = NULL;

      if (!z_check_continuity (self, &next, &flag, &detail, error))
        return FALSE;
      {
        HqDbValue update[] = { HQ_DB_V_TEXT (next.uuid), HQ_DB_V_TEXT (flag),
                               HQ_DB_V_TEXT (detail) };

        if (hq_db_execute (self->db,
                           "UPDATE z_report SET continuity = $2, detail = $3 WHERE uuid = $1",
                           update, G_N_ELEMENTS (update), error) < 0)
          return FALSE;
      }
      if (g_str_equal (flag, Z_CONTINUITY_OK))
        g_message ("Z report %" PRId64 " of till %s follows on now that Z %" PRId64 " arrived",
                   next.z_no, till_id, previous_z_no);
      else if (!g_str_equal (flag, Z_CONTINUITY_GAP) &&
               !z_report_discontinuity (self, till_id, detail, received_us, error))
        return FALSE;
    }
  return TRUE;
}

/* Each Z report stored now becomes a row of its till's Z reports, in seq
 * order (a batch may hold two days), with its continuity. */
static gboolean
record_z_reports (
    HqStore *self, const HqTill *till, GArray *states, gint64 received_us, GError **error)
{
  for (guint i = 0; i < states->len; i++)
    {
      ItemState       *state = &g_array_index (states, ItemState, i);
      const ZReport   *z = state->z;
      ZFigures         figures;
      const char      *flag = NULL;
      g_autofree char *detail = NULL;

      if (!state->inserted || state->kind != DOC_Z)
        continue;
      figures = (ZFigures){ .till_id = till->till_id,
                            .uuid = state->item->ref_uuid,
                            .z_no = z->z_no,
                            .sales_total = z->sales_total,
                            .returns_total = z->returns_total,
                            .grand_total = z->grand_total };
      if (!z_check_continuity (self, &figures, &flag, &detail, error))
        return FALSE;
      {
        HqDbValue params[] = {
          HQ_DB_V_TEXT (state->item->ref_uuid),
          HQ_DB_V_TEXT (till->till_id),
          HQ_DB_V_TEXT (till->store_id),
          HQ_DB_V_INT (z->z_no),
          HQ_DB_V_TEXT (z->day_uuid),
          HQ_DB_V_TEXT (state->business_day),
          z->opened_us > 0 ? HQ_DB_V_INT (z->opened_us) : HQ_DB_V_NULL,
          z->closed_us > 0 ? HQ_DB_V_INT (z->closed_us) : HQ_DB_V_NULL,
          HQ_DB_V_INT (z->sales_total),
          HQ_DB_V_INT (z->returns_total),
          HQ_DB_V_INT (z->grand_total),
          z->has_grand_parts ? HQ_DB_V_INT (z->grand_sales) : HQ_DB_V_NULL,
          z->has_grand_parts ? HQ_DB_V_INT (z->grand_returns) : HQ_DB_V_NULL,
          HQ_DB_V_TEXT (z->totals),
          HQ_DB_V_TEXT (flag),
          HQ_DB_V_TEXT (detail),
          HQ_DB_V_INT (received_us),
        };

        if (hq_db_execute (self->db,
                           "INSERT INTO z_report (uuid, till_id, store_id, z_no, day_uuid, "
                           "business_day, opened_us, closed_us, sales_total, returns_total, "
                           "grand_total, grand_sales, grand_returns, totals, continuity, detail, "
                           "received_us) "
                           "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
                           "$15, $16, $17)",
                           params, G_N_ELEMENTS (params), error) < 0)
          return FALSE;
      }
      if (detail != NULL &&
          !z_report_discontinuity (self, till->till_id, detail, received_us, error))
        return FALSE;
      if (!z_recheck_next (self, till->till_id, z->z_no, received_us, error))
        return FALSE;
    }
  return TRUE;
}

/* Moves the epoch's high-water mark over documents HQ already holds past it:
 * the items of a batch that arrived before the one that filled the gap. */
static gboolean
advance_over_stored (
    HqStore *self, const HqTill *till, guint32 epoch, gint64 *acked, GError **error)
{
  for (;;)
    {
      HqDbValue params[] = {
        HQ_DB_V_TEXT (till->till_id),
        HQ_DB_V_INT (epoch),
        HQ_DB_V_INT (*acked),
      };
      g_autoptr (HqDbRows) rows =
          hq_db_query (self->db,
                       "SELECT seq FROM document WHERE till_id = $1 AND epoch = $2 AND seq > $3 "
                       "ORDER BY seq LIMIT 1000",
                       params, G_N_ELEMENTS (params), error);
      guint n;

      if (rows == NULL)
        return FALSE;
      n = hq_db_rows_get_n_rows (rows);
      for (guint r = 0; r < n; r++)
        {
          if (hq_db_rows_get_int (rows, r, 0) != *acked + 1)
            return TRUE;
          *acked += 1;
        }
      if (n < 1000)
        return TRUE;
    }
}

static TillWireAck *
apply_batch_once (HqStore             *self,
                  const HqTill        *till,
                  const TillWireBatch *batch,
                  gint64               received_us,
                  GError             **error)
{
  g_autoptr (TillWireAck) ack = till_wire_ack_new ();
  g_autoptr (GArray) states =
      g_array_sized_new (FALSE, TRUE, sizeof (ItemState), batch->items->len);
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (HqDbRows) till_rows = NULL;
  g_autoptr (HqDbRows) epoch_rows = NULL;
  g_autoptr (GDateTime) received = NULL;
  g_autofree char *received_day = NULL;
  gint64           stored_head_seq, stored_skew, acked, skew;
  const char      *stored_head_hash;
  gboolean         stored_any = FALSE;

  g_array_set_clear_func (states, item_state_clear);
  received = g_date_time_new_from_unix_local (received_us / G_USEC_PER_SEC);
  received_day = g_date_time_format (received, "%Y-%m-%d");

  /* Parsing needs no database: do it before the transaction holds locks. */
  for (guint i = 0; i < batch->items->len; i++)
    {
      ItemState state = { .item = g_ptr_array_index (batch->items, i),
                          .status = TILL_WIRE_ITEM_OK };

      g_array_append_val (states, state);
      parse_item (parser, &g_array_index (states, ItemState, i), received_day);
    }

  if (!hq_db_begin (self->db, error))
    return NULL;

  /* The till's row first: on PostgreSQL this update locks it, so that two
   * batches of one till (a replay racing the original) take turns. */
  {
    HqDbValue params[] = { HQ_DB_V_TEXT (till->till_id), HQ_DB_V_INT (received_us) };

    till_rows = hq_db_query (self->db,
                             "UPDATE till SET last_seen_us = $2 WHERE till_id = $1 "
                             "RETURNING epoch, head_seq, head_hash, clock_skew_us",
                             params, G_N_ELEMENTS (params), error);
  }
  if (till_rows == NULL)
    goto fail;
  if (hq_db_rows_get_n_rows (till_rows) == 0 ||
      hq_db_rows_get_int (till_rows, 0, 0) != batch->epoch)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_FORBIDDEN,
                   _ ("Till %s pushed for epoch %u, which is not its current one"), till->till_id,
                   batch->epoch);
      goto fail;
    }
  stored_head_seq = hq_db_rows_get_int (till_rows, 0, 1);
  stored_head_hash = hq_db_rows_get_text (till_rows, 0, 2);
  stored_skew = hq_db_rows_get_int (till_rows, 0, 3);

  {
    HqDbValue params[] = { HQ_DB_V_TEXT (till->till_id), HQ_DB_V_INT (batch->epoch) };

    epoch_rows = hq_db_query (
        self->db, "SELECT acked_through FROM till_epoch WHERE till_id = $1 AND epoch = $2", params,
        G_N_ELEMENTS (params), error);
  }
  if (epoch_rows == NULL)
    goto fail;
  if (hq_db_rows_get_n_rows (epoch_rows) == 0 || hq_db_rows_is_null (epoch_rows, 0, 0))
    acked = batch->acked_base; /* the epoch's first batch */
  else
    acked = hq_db_rows_get_int (epoch_rows, 0, 0);
  /* The till holds more as acknowledged than HQ does: HQ lost some of its
   * state (restored from a backup). The till never sends those items again,
   * so waiting for them would block it for good; say so and go on. */
  if (batch->acked_base > acked)
    {
      g_autofree char *detail =
          g_strdup_printf ("epoch %u: the till holds %" PRId64 " as acknowledged, HQ only %" PRId64,
                           batch->epoch, batch->acked_base, acked);

      if (!add_incident (self, received_us, till->till_id, "ack-behind", detail, error))
        goto fail;
      acked = batch->acked_base;
    }

  for (guint i = 0; i < states->len; i++)
    {
      ItemState       *state = &g_array_index (states, ItemState, i);
      g_autofree char *detail = NULL;

      if (state->status != TILL_WIRE_ITEM_REJECTED)
        continue;
      detail = g_strdup_printf ("epoch %u seq %" PRId64 " %s %s rejected: %s", batch->epoch,
                                state->item->seq, state->item->kind, state->item->ref_uuid,
                                state->reason);
      if (!add_incident (self, received_us, till->till_id, "rejected", detail, error))
        goto fail;
    }

  if (!insert_documents (self, till, batch, states, received_us, error) ||
      !classify_not_inserted (self, till, batch, states, received_us, error) ||
      !update_rollups (self, till, states, error) ||
      !record_z_reports (self, till, states, received_us, error))
    goto fail;

  for (guint i = 0; i < states->len; i++)
    {
      ItemState *state = &g_array_index (states, ItemState, i);

      stored_any |= state->inserted;
      if ((state->status == TILL_WIRE_ITEM_OK || state->status == TILL_WIRE_ITEM_DUPLICATE) &&
          state->item->seq == acked + 1)
        acked = state->item->seq;
      till_wire_ack_add (ack, state->item->seq, state->status, state->reason);
    }
  if (!advance_over_stored (self, till, batch->epoch, &acked, error))
    goto fail;

  {
    HqDbValue params[] = {
      HQ_DB_V_TEXT (till->till_id),
      HQ_DB_V_INT (batch->epoch),
      HQ_DB_V_INT (acked),
    };

    if (hq_db_execute (
            self->db,
            "INSERT INTO till_epoch (till_id, epoch, acked_through) VALUES ($1, $2, $3) "
            "ON CONFLICT (till_id, epoch) DO UPDATE SET acked_through = excluded.acked_through",
            params, G_N_ELEMENTS (params), error) < 0)
      goto fail;
  }

  /* The journal head only moves forward within an epoch. An older head in a
   * batch that brought new documents means the till's history went back
   * (restored without re-enrolling); a pure replay of an old batch is not. */
  if (stored_any && (batch->head_seq < stored_head_seq ||
                     (batch->head_seq == stored_head_seq && stored_head_hash != NULL &&
                      g_strcmp0 (batch->head_hash, stored_head_hash) != 0)))
    {
      g_autofree char *detail = g_strdup_printf (
          "epoch %u: journal head %" PRId64 " %s after %" PRId64 " %s", batch->epoch,
          batch->head_seq, batch->head_hash, stored_head_seq, stored_head_hash);

      if (!add_incident (self, received_us, till->till_id, "head-regression", detail, error))
        goto fail;
    }

  skew = batch->sent_us - received_us;
  if (ABS (skew) > CLOCK_SKEW_LIMIT_US && ABS (stored_skew) <= CLOCK_SKEW_LIMIT_US)
    {
      g_autofree char *detail =
          g_strdup_printf ("the till's clock is %+.0f s off HQ's", (double) skew / G_USEC_PER_SEC);

      if (!add_incident (self, received_us, till->till_id, "clock-skew", detail, error))
        goto fail;
    }

  {
    gboolean  head_forward = batch->head_seq > stored_head_seq;
    HqDbValue params[] = {
      HQ_DB_V_TEXT (till->till_id),
      HQ_DB_V_INT (head_forward ? batch->head_seq : stored_head_seq),
      HQ_DB_V_TEXT (head_forward ? batch->head_hash : stored_head_hash),
      HQ_DB_V_INT (ABS (skew) > CLOCK_SKEW_LIMIT_US ? skew : 0),
    };

    if (hq_db_execute (self->db,
                       "UPDATE till SET head_seq = $2, head_hash = $3, clock_skew_us = $4 "
                       "WHERE till_id = $1",
                       params, G_N_ELEMENTS (params), error) < 0)
      goto fail;
  }

  if (!hq_db_commit (self->db, error))
    goto fail;
  ack->acked_through = acked;
  ack->server_us = received_us;
  return g_steal_pointer (&ack);

fail:
  hq_db_rollback (self->db);
  return NULL;
}

/* --- Master data ------------------------------------------------------------ */

static gboolean
scope_check (HqStore *self, const char *scope, GError **error)
{
  gboolean exists = FALSE;

  if (g_strcmp0 (scope, "all") == 0)
    return TRUE;
  if (scope != NULL && g_str_has_prefix (scope, "group:") && text_is_id (scope + 6))
    {
      if (!row_exists (self, "SELECT 1 FROM hq_group WHERE group_id = $1", scope + 6, &exists,
                       error))
        return FALSE;
    }
  else if (scope != NULL && g_str_has_prefix (scope, "store:") && text_is_id (scope + 6))
    {
      if (!row_exists (self, "SELECT 1 FROM hq_store WHERE store_id = $1", scope + 6, &exists,
                       error))
        return FALSE;
    }
  else
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                   _ ("“%s” is not a scope: “all”, “group:<id>” or “store:<id>”"),
                   scope != NULL ? scope : "");
      return FALSE;
    }
  if (!exists)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                   _ ("The scope “%s” names no known group or store"), scope);
      return FALSE;
    }
  return TRUE;
}

static gboolean
require_string (JsonObject *data, const char *name, const char **out_value, GError **error)
{
  const char *value = json_get_string (data, name);

  if (value == NULL || *value == '\0')
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                   _ ("“%s” is missing or not a text"), name);
      return FALSE;
    }
  if (out_value != NULL)
    *out_value = value;
  return TRUE;
}

static gboolean
require_int (JsonObject *data, const char *name, gint64 min, gint64 *out_value, GError **error)
{
  gint64 value;

  if (!json_get_int (data, name, &value) || value < min)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                   _ ("“%s” is missing or not a whole number of at least %" PRId64 ""), name, min);
      return FALSE;
    }
  if (out_value != NULL)
    *out_value = value;
  return TRUE;
}

static gboolean
require_id_matches (const char *id, const char *member, const char *value, GError **error)
{
  if (g_strcmp0 (id, value) != 0)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                   _ ("The row's id “%s” is not its %s “%s”"), id, member, value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
pin_is_valid (const char *pin)
{
  gsize len = pin != NULL ? strlen (pin) : 0;

  if (len < PIN_MIN_DIGITS || len > PIN_MAX_DIGITS)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (pin[i]))
      return FALSE;
  return TRUE;
}

static gboolean
base64_has_length (const char *text, gsize expected)
{
  gsize              len = 0;
  g_autofree guchar *bytes = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  bytes = g_base64_decode (text, &len);
  return len == expected;
}

/* Replaces a user's "pin" in clear by the till's verifier. */
static gboolean
add_pin_verifier (JsonObject *data, const char *pin, GError **error)
{
  guint8           salt[PIN_SALT_LEN];
  guint8           hash[PIN_HASH_LEN];
  g_autofree char *salt_b64 = NULL;
  g_autofree char *hash_b64 = NULL;

  if (!pin_is_valid (pin))
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID, _ ("A PIN is %d to %d digits"),
                   PIN_MIN_DIGITS, PIN_MAX_DIGITS);
      return FALSE;
    }
  if (RAND_bytes (salt, sizeof salt) != 1 ||
      EVP_PBE_scrypt (pin, strlen (pin), salt, sizeof salt, PIN_SCRYPT_N, PIN_SCRYPT_R,
                      PIN_SCRYPT_P, PIN_SCRYPT_MEM, hash, sizeof hash) != 1)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_FAILED,
                   _ ("Cannot compute the PIN hash (out of memory?)"));
      return FALSE;
    }
  salt_b64 = g_base64_encode (salt, sizeof salt);
  hash_b64 = g_base64_encode (hash, sizeof hash);
  OPENSSL_cleanse (hash, sizeof hash);
  json_object_set_string_member (data, "kdf", PIN_KDF);
  json_object_set_string_member (data, "pin_salt", salt_b64);
  json_object_set_string_member (data, "pin_hash", hash_b64);
  return TRUE;
}

/* --- Promotions: HQ's checks ---------------------------------------------------
 * HQ never links the till's core, so it cannot run till_promotion_validate
 * (src/core/till-promotion.c). It checks what it can from the JSON alone, so
 * that a typing mistake is refused at HQ, where store IT can fix it, rather
 * than skipped by every till: the members the till reads
 * (till_promotion_parse_json) with the types it reads them as. The names
 * below are the till's: keep them in step with till-promotion.c (the
 * promotion-sync suite checks every kind and a promotion of each the till
 * writes). */

static const char *const promotion_kind_names[] = {
  "threshold", "percent-off",   "fixed-price", "gift",         "buy-x-get-y",
  "nth-item",  "mix-and-match", "bundle",      "member-price", "tier-discount",
  "coupon",    "sale-discount", NULL,
};

static const char *const promotion_stacking_names[] = { "all", "exclusive", "exclusive-group",
                                                        NULL };

typedef enum
{
  PROMOTION_TEXT,
  PROMOTION_KIND,
  PROMOTION_STACKING,
  PROMOTION_PRIORITY, /* a whole number of either sign: it only orders */
  PROMOTION_AMOUNT,   /* a whole number ≥ 0: fen, thousandths, µs, counts */
  PROMOTION_BASIS_POINTS,
  PROMOTION_BOOLEAN,
  PROMOTION_TEXTS,
  PROMOTION_TIERS,
  PROMOTION_BUNDLE,
  PROMOTION_WEEKDAYS,
  PROMOTION_WINDOWS,
  PROMOTION_SCOPE, /* the row's, not the promotion's: import and set take it off */
} PromotionMemberType;

typedef struct
{
  const char         *name;
  PromotionMemberType type;
} PromotionMember;

static const PromotionMember promotion_members[] = {
  { "code", PROMOTION_TEXT },
  { "name", PROMOTION_TEXT },
  { "kind", PROMOTION_KIND },
  { "priority", PROMOTION_PRIORITY },
  { "stacking", PROMOTION_STACKING },
  { "stacking_group", PROMOTION_TEXT },
  { "skus", PROMOTION_TEXTS },
  { "categories", PROMOTION_TEXTS },
  { "brands", PROMOTION_TEXTS },
  { "excluded_skus", PROMOTION_TEXTS },
  { "percent_bp", PROMOTION_BASIS_POINTS },
  { "fixed_price", PROMOTION_AMOUNT },
  { "tiers", PROMOTION_TIERS },
  { "every_amount", PROMOTION_AMOUNT },
  { "every_off", PROMOTION_AMOUNT },
  { "gift_sku", PROMOTION_TEXT },
  { "gift_quantity", PROMOTION_AMOUNT },
  { "buy_quantity", PROMOTION_AMOUNT },
  { "get_quantity", PROMOTION_AMOUNT },
  { "nth_item", PROMOTION_AMOUNT },
  { "mix_quantity", PROMOTION_AMOUNT },
  { "mix_price", PROMOTION_AMOUNT },
  { "bundle", PROMOTION_BUNDLE },
  { "bundle_price", PROMOTION_AMOUNT },
  { "amount_off", PROMOTION_AMOUNT },
  { "coupon_code", PROMOTION_TEXT },
  { "coupon_multi_use", PROMOTION_BOOLEAN },
  { "valid_from_us", PROMOTION_AMOUNT },
  { "valid_until_us", PROMOTION_AMOUNT },
  { "weekdays", PROMOTION_WEEKDAYS },
  { "windows", PROMOTION_WINDOWS },
  { "stores", PROMOTION_TEXTS },
  { "store_groups", PROMOTION_TEXTS },
  { "member_only", PROMOTION_BOOLEAN },
  { "tiers_only", PROMOTION_TEXTS },
  { "min_quantity", PROMOTION_AMOUNT },
  { "min_amount", PROMOTION_AMOUNT },
  { "per_sale_limit", PROMOTION_AMOUNT },
  { "per_member_limit", PROMOTION_AMOUNT },
  { "scope", PROMOTION_SCOPE },
};

static gboolean
promotion_invalid (GError **error, const char *name, const char *expected)
{
  /* TRANSLATORS: the second %s says what the member must be, e.g. "a whole number ≥ 0" */
  g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID, _ ("“%s” must be %s"), name,
               expected);
  return FALSE;
}

static gboolean
node_is_type (JsonNode *node, GType type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
node_is_amount (JsonNode *node, gint64 min, gint64 max)
{
  return node_is_type (node, G_TYPE_INT64) && json_node_get_int (node) >= min &&
         json_node_get_int (node) <= max;
}

/* "HH:MM", 00:00 to 24:00, as the till reads a time window. */
static gboolean
text_is_clock (const char *text)
{
  int hours, minutes;

  if (text == NULL || strlen (text) != 5 || !g_ascii_isdigit (text[0]) ||
      !g_ascii_isdigit (text[1]) || text[2] != ':' || !g_ascii_isdigit (text[3]) ||
      !g_ascii_isdigit (text[4]))
    return FALSE;
  hours = (text[0] - '0') * 10 + (text[1] - '0');
  minutes = (text[3] - '0') * 10 + (text[4] - '0');
  return minutes <= 59 && (hours < 24 || (hours == 24 && minutes == 0));
}

/* Each element of @array an object whose @a and @b pass. */
static gboolean
array_of_pairs (JsonArray  *array,
                const char *a,
                gboolean (*a_ok) (JsonNode *node),
                const char *b,
                gboolean (*b_ok) (JsonNode *node))
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode   *element = json_array_get_element (array, i);
      JsonObject *pair;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return FALSE;
      pair = json_node_get_object (element);
      if (!a_ok (json_object_get_member (pair, a)) || !b_ok (json_object_get_member (pair, b)))
        return FALSE;
    }
  return TRUE;
}

static gboolean
node_is_fen (JsonNode *node)
{
  return node_is_amount (node, 0, G_MAXINT64);
}

static gboolean
node_is_text (JsonNode *node)
{
  return node_is_type (node, G_TYPE_STRING) && *json_node_get_string (node) != '\0';
}

static gboolean
node_is_clock (JsonNode *node)
{
  return node_is_type (node, G_TYPE_STRING) && text_is_clock (json_node_get_string (node));
}

static gboolean
check_promotion_member (const PromotionMember *member, JsonNode *node, GError **error)
{
  JsonArray *array = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  switch (member->type)
    {
    case PROMOTION_TEXT:
    case PROMOTION_SCOPE:
      if (!node_is_text (node))
        return promotion_invalid (error, member->name, _ ("a text"));
      return TRUE;
    case PROMOTION_KIND:
      if (!node_is_type (node, G_TYPE_STRING) ||
          !g_strv_contains (promotion_kind_names, json_node_get_string (node)))
        {
          g_autofree char *kinds = g_strjoinv (", ", (char **) promotion_kind_names);
          g_autofree char *expected =
              node_is_type (node, G_TYPE_STRING)
                  ? g_strdup_printf (_ ("one of %s, not “%s”"), kinds, json_node_get_string (node))
                  : g_strdup_printf (_ ("one of %s"), kinds);

          return promotion_invalid (error, member->name, expected);
        }
      return TRUE;
    case PROMOTION_STACKING:
      if (!node_is_type (node, G_TYPE_STRING) ||
          !g_strv_contains (promotion_stacking_names, json_node_get_string (node)))
        return promotion_invalid (error, member->name, _ ("all, exclusive or exclusive-group"));
      return TRUE;
    case PROMOTION_PRIORITY:
      if (!node_is_amount (node, G_MININT, G_MAXINT))
        return promotion_invalid (error, member->name, _ ("a whole number"));
      return TRUE;
    case PROMOTION_AMOUNT:
      if (!node_is_fen (node))
        return promotion_invalid (error, member->name, _ ("a whole number ≥ 0"));
      return TRUE;
    case PROMOTION_BASIS_POINTS:
      if (!node_is_amount (node, 0, 10000))
        return promotion_invalid (error, member->name,
                                  _ ("a whole number of basis points from 0 to 10000"));
      return TRUE;
    case PROMOTION_BOOLEAN:
      if (!node_is_type (node, G_TYPE_BOOLEAN))
        return promotion_invalid (error, member->name, _ ("true or false"));
      return TRUE;
    case PROMOTION_TEXTS:
      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        if (!node_is_text (json_array_get_element (array, i)))
          array = NULL;
      if (array == NULL)
        return promotion_invalid (error, member->name, _ ("a list of texts"));
      return TRUE;
    case PROMOTION_TIERS:
      if (array == NULL ||
          !array_of_pairs (array, "min_amount", node_is_fen, "amount_off", node_is_fen))
        return promotion_invalid (error, member->name,
                                  _ ("a list of {\"min_amount\", \"amount_off\"} in fen ≥ 0"));
      return TRUE;
    case PROMOTION_BUNDLE:
      if (array == NULL || !array_of_pairs (array, "sku", node_is_text, "quantity", node_is_fen))
        return promotion_invalid (error, member->name,
                                  _ ("a list of {\"sku\", \"quantity\"} (a whole number ≥ 0)"));
      return TRUE;
    case PROMOTION_WEEKDAYS:
      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        if (!node_is_amount (json_array_get_element (array, i), 1, 7))
          array = NULL;
      if (array == NULL)
        return promotion_invalid (error, member->name,
                                  _ ("a list of days, 1 (Monday) to 7 (Sunday)"));
      return TRUE;
    case PROMOTION_WINDOWS:
      if (array == NULL || !array_of_pairs (array, "start", node_is_clock, "end", node_is_clock))
        return promotion_invalid (error, member->name,
                                  _ ("a list of {\"start\": \"HH:MM\", \"end\": \"HH:MM\"}"));
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* See hq_store_check_promotion. */
static gboolean
check_promotion (JsonObject *promotion, GError **error)
{
  g_autoptr (GList) names = json_object_get_members (promotion);
  gint64 from_us = 0;
  gint64 until_us = 0;

  /* The members the till cannot do without come first, so that a
   * promotion missing its code is not first told about its tiers. */
  for (guint i = 0; i < 3; i++)
    {
      JsonNode *node = json_object_get_member (promotion, promotion_members[i].name);

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        {
          g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID, _ ("A promotion needs “%s”"),
                       promotion_members[i].name);
          return FALSE;
        }
    }
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode   *node = json_object_get_member (promotion, name);
      gsize       m;

      for (m = 0; m < G_N_ELEMENTS (promotion_members); m++)
        if (strcmp (name, promotion_members[m].name) == 0)
          break;
      if (m == G_N_ELEMENTS (promotion_members))
        {
          /* The till would ignore it: most likely a misspelt member whose
           * rule would then silently not hold. */
          g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                       _ ("“%s” is not a member of a promotion (see till_promotion_parse_json)"),
                       name);
          return FALSE;
        }
      /* The till reads null as "not set". */
      if (JSON_NODE_HOLDS_NULL (node))
        continue;
      if (!check_promotion_member (&promotion_members[m], node, error))
        return FALSE;
    }

  json_get_int (promotion, "valid_from_us", &from_us);
  json_get_int (promotion, "valid_until_us", &until_us);
  if (from_us > 0 && until_us > 0 && until_us <= from_us)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                   _ ("“valid_until_us” must come after “valid_from_us”"));
      return FALSE;
    }
  if (g_strcmp0 (json_get_string (promotion, "stacking"), "exclusive-group") == 0 &&
      json_get_string (promotion, "stacking_group") == NULL)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                   _ ("Stacking “exclusive-group” needs a “stacking_group”"));
      return FALSE;
    }
  return TRUE;
}

/* Checks @data for @channel and returns the object to store: a copy without
 * "scope" (it is the row's, not the data's) and, for users, with the PIN
 * turned into a verifier. */
static JsonObject *
prepare_row_data (const char *channel, const char *id, JsonObject *data, GError **error)
{
  g_autoptr (JsonObject) copy = json_object_new ();
  g_autoptr (GList) members = json_object_get_members (data);
  const char *value = NULL;

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (strcmp (name, "scope") == 0 || strcmp (name, "pin") == 0)
        continue;
      json_object_set_member (copy, name, json_node_copy (json_object_get_member (data, name)));
    }

  if (strcmp (channel, "categories") == 0)
    {
      if (!require_string (copy, "code", &value, error) ||
          !require_id_matches (id, "code", value, error) ||
          !require_string (copy, "name", NULL, error))
        return NULL;
    }
  else if (strcmp (channel, "items") == 0)
    {
      if (!require_string (copy, "sku", &value, error) ||
          !require_id_matches (id, "sku", value, error) ||
          !require_string (copy, "name", NULL, error) ||
          !require_int (copy, "price", 0, NULL, error))
        return NULL;
    }
  else if (strcmp (channel, "prices") == 0)
    {
      gint64           from_us;
      g_autofree char *expected_id = NULL;

      if (!require_string (copy, "sku", &value, error) ||
          !require_int (copy, "price", 0, NULL, error) ||
          !require_int (copy, "effective_from_us", 0, &from_us, error))
        return NULL;
      expected_id = g_strdup_printf ("%s@%" PRId64, value, from_us);
      if (!require_id_matches (id, "sku@effective_from_us", expected_id, error))
        return NULL;
    }
  else if (strcmp (channel, "users") == 0)
    {
      const char *pin = json_get_string (data, "pin");
      const char *role = NULL;

      if (!require_string (copy, "code", &value, error) ||
          !require_id_matches (id, "code", value, error) ||
          !require_string (copy, "name", NULL, error) ||
          !require_string (copy, "role", &role, error))
        return NULL;
      if (!g_strv_contains (
              (const char *const[]){ "cashier", "supervisor", "manager", "admin", NULL }, role))
        {
          g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID, _ ("“%s” is not a role"),
                       role);
          return NULL;
        }
      if (pin != NULL)
        {
          if (!add_pin_verifier (copy, pin, error))
            return NULL;
        }
      else if (g_strcmp0 (json_get_string (copy, "kdf"), PIN_KDF) != 0 ||
               !base64_has_length (json_get_string (copy, "pin_salt"), PIN_SALT_LEN) ||
               !base64_has_length (json_get_string (copy, "pin_hash"), PIN_HASH_LEN))
        {
          g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                       _ ("A user needs a “pin”, or kdf “%s” with pin_salt and pin_hash"), PIN_KDF);
          return NULL;
        }
    }
  else if (strcmp (channel, "settings") == 0)
    {
      JsonNode *setting = json_object_get_member (copy, "value");

      if (!require_string (copy, "key", &value, error) ||
          !require_id_matches (id, "key", value, error))
        return NULL;
      /* The till refuses a page with one of the settings it keeps for
       * itself (src/core/till-master-data.c), which would block its
       * settings channel: refuse them here, where someone can fix them. */
      if (strcmp (value, "till.id") == 0 || strcmp (value, "badge_salt") == 0 ||
          (g_str_has_prefix (value, "sync.") && !g_str_has_prefix (value, "sync.limit.")))
        {
          g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                       _ ("The till keeps the setting “%s” itself"), value);
          return NULL;
        }
      if (setting == NULL || !JSON_NODE_HOLDS_VALUE (setting))
        {
          g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                       _ ("A setting's “value” must be a text, a number or true/false"));
          return NULL;
        }
    }
  else if (strcmp (channel, "promotions") == 0)
    {
      if (!require_string (copy, "code", &value, error) ||
          !require_id_matches (id, "code", value, error))
        return NULL;
      if (!check_promotion (copy, error))
        {
          g_prefix_error (error, "“%s”: ", value);
          return NULL;
        }
    }
  else if (strcmp (channel, "members") == 0)
    {
      if (!require_string (copy, "code", &value, error) ||
          !require_id_matches (id, "code", value, error))
        return NULL;
    }
  return g_steal_pointer (&copy);
}

static gboolean
next_version (HqStore *self, gint64 *out_version, GError **error)
{
  g_autoptr (HqDbRows) rows = hq_db_query (
      self->db, "UPDATE change_counter SET value = value + 1 RETURNING value", NULL, 0, error);

  if (rows == NULL)
    return FALSE;
  if (hq_db_rows_get_n_rows (rows) != 1)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_FAILED,
                   _ ("The change counter is missing from the database"));
      return FALSE;
    }
  *out_version = hq_db_rows_get_int (rows, 0, 0);
  return TRUE;
}

/* Inside a transaction. */
static gboolean
put_row_locked (HqStore    *self,
                const char *channel,
                const char *id,
                const char *scope,
                JsonObject *data,
                GError    **error)
{
  g_autoptr (JsonObject) prepared = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (HqDbRows) existing = NULL;
  g_autofree char *text = NULL;
  gint64           version;

  if (!till_wire_channel_is_known (channel))
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND, _ ("There is no channel “%s”"),
                   channel);
      return FALSE;
    }
  if (id == NULL || *id == '\0')
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID, _ ("A row needs an id"));
      return FALSE;
    }
  if (!scope_check (self, scope, error))
    return FALSE;
  prepared = prepare_row_data (channel, id, data, error);
  if (prepared == NULL)
    return FALSE;
  node = json_node_init_object (json_node_alloc (), prepared);
  text = json_to_string (node, FALSE);

  /* Putting the same data again is no change: tills need not pull it. */
  {
    HqDbValue params[] = { HQ_DB_V_TEXT (channel), HQ_DB_V_TEXT (id), HQ_DB_V_TEXT (scope) };

    existing = hq_db_query (self->db,
                            "SELECT data, deleted FROM master_row "
                            "WHERE channel = $1 AND id = $2 AND scope = $3",
                            params, G_N_ELEMENTS (params), error);
  }
  if (existing == NULL)
    return FALSE;
  if (hq_db_rows_get_n_rows (existing) > 0 && hq_db_rows_get_int (existing, 0, 1) == 0 &&
      g_strcmp0 (hq_db_rows_get_text (existing, 0, 0), text) == 0)
    return TRUE;

  if (!next_version (self, &version, error))
    return FALSE;
  {
    HqDbValue params[] = {
      HQ_DB_V_TEXT (channel), HQ_DB_V_TEXT (id),     HQ_DB_V_TEXT (scope),
      HQ_DB_V_TEXT (text),    HQ_DB_V_INT (version),
    };

    return hq_db_execute (self->db,
                          "INSERT INTO master_row (channel, id, scope, data, version, deleted, "
                          "deleted_us) VALUES ($1, $2, $3, $4, $5, 0, NULL) "
                          "ON CONFLICT (channel, id, scope) DO UPDATE SET data = excluded.data, "
                          "version = excluded.version, deleted = 0, deleted_us = NULL",
                          params, G_N_ELEMENTS (params), error) >= 0;
  }
}

static gboolean
put_group_locked (HqStore *self, const char *group_id, const char *name, GError **error)
{
  HqDbValue params[] = { HQ_DB_V_TEXT (group_id), HQ_DB_V_TEXT (name) };

  if (!text_is_id (group_id) || name == NULL || *name == '\0')
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                   _ ("A group needs an id (letters, digits, “-_.”) and a name"));
      return FALSE;
    }
  return hq_db_execute (self->db,
                        "INSERT INTO hq_group (group_id, name) VALUES ($1, $2) "
                        "ON CONFLICT (group_id) DO UPDATE SET name = excluded.name",
                        params, G_N_ELEMENTS (params), error) >= 0;
}

/* Keeps the store's "store.group" setting row in line with its group
 * (NULL: none, sent as ""). Unchanged, it makes no new version. */
static gboolean
put_store_group_row_locked (HqStore    *self,
                            const char *store_id,
                            const char *group_id,
                            GError    **error)
{
  g_autoptr (JsonObject) data = json_object_new ();
  g_autofree char *scope = g_strconcat ("store:", store_id, NULL);

  json_object_set_string_member (data, "key", STORE_GROUP_KEY);
  json_object_set_string_member (data, "value", group_id != NULL ? group_id : "");
  return put_row_locked (self, "settings", STORE_GROUP_KEY, scope, data, error);
}

static gboolean
put_store_locked (
    HqStore *self, const char *store_id, const char *name, const char *group_id, GError **error)
{
  HqDbValue params[] = { HQ_DB_V_TEXT (store_id), HQ_DB_V_TEXT (name), HQ_DB_V_TEXT (group_id) };
  gboolean  exists = TRUE;

  if (!text_is_id (store_id) || name == NULL || *name == '\0')
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                   _ ("A store needs an id (letters, digits, “-_.”) and a name"));
      return FALSE;
    }
  if (group_id != NULL &&
      !row_exists (self, "SELECT 1 FROM hq_group WHERE group_id = $1", group_id, &exists, error))
    return FALSE;
  if (!exists)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND, _ ("There is no group “%s”"),
                   group_id);
      return FALSE;
    }
  /* The till learns its group from this row, in the same transaction as
   * the move, so HQ's pull filter and what the till believes never part. */
  return hq_db_execute (self->db,
                        "INSERT INTO hq_store (store_id, name, group_id) VALUES ($1, $2, $3) "
                        "ON CONFLICT (store_id) DO UPDATE SET name = excluded.name, "
                        "group_id = excluded.group_id",
                        params, G_N_ELEMENTS (params), error) >= 0 &&
         put_store_group_row_locked (self, store_id, group_id, error);
}

/* Refuses a row of the settings HQ keeps from the stores' groups. */
static gboolean
check_not_store_group (const char *channel, const char *id, GError **error)
{
  if (g_strcmp0 (channel, "settings") == 0 && g_strcmp0 (id, STORE_GROUP_KEY) == 0)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                   _ ("HQ sets “%s” from the store's group: move the store to another group "
                      "instead"),
                   STORE_GROUP_KEY);
      return FALSE;
    }
  return TRUE;
}

/* The id a row of an import section has, taken from its data. */
static char *
import_row_id (const char *channel, JsonObject *row, GError **error)
{
  const char *member = "code";

  if (strcmp (channel, "items") == 0)
    member = "sku";
  else if (strcmp (channel, "settings") == 0)
    member = "key";
  else if (strcmp (channel, "prices") == 0)
    {
      const char *sku = NULL;
      gint64      from_us = 0;

      if (!require_string (row, "sku", &sku, error) ||
          !require_int (row, "effective_from_us", 0, &from_us, error))
        return NULL;
      return g_strdup_printf ("%s@%" PRId64, sku, from_us);
    }
  if (!require_string (row, member, NULL, error))
    return NULL;
  return g_strdup (json_get_string (row, member));
}

static gboolean
import_section (HqStore *self, JsonObject *root, const char *section, guint *n_rows, GError **error)
{
  JsonNode  *node = json_object_get_member (root, section);
  JsonArray *rows;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID, _ ("“%s” is not a list"),
                   section);
      return FALSE;
    }
  rows = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonNode   *row_node = json_array_get_element (rows, i);
      JsonObject *row;
      gboolean    ok;

      if (!JSON_NODE_HOLDS_OBJECT (row_node))
        {
          g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID, _ ("%s[%u]: not an object"),
                       section, i);
          return FALSE;
        }
      row = json_node_get_object (row_node);
      if (strcmp (section, "groups") == 0)
        ok = put_group_locked (self, json_get_string (row, "id"), json_get_string (row, "name"),
                               error);
      else if (strcmp (section, "stores") == 0)
        ok = put_store_locked (self, json_get_string (row, "id"), json_get_string (row, "name"),
                               json_get_string (row, "group"), error);
      else
        {
          const char      *scope = json_get_string (row, "scope");
          g_autofree char *id = import_row_id (section, row, error);

          ok = id != NULL && check_not_store_group (section, id, error) &&
               put_row_locked (self, section, id, scope != NULL ? scope : "all", row, error);
        }
      if (!ok)
        {
          g_prefix_error (error, "%s[%u]: ", section, i);
          return FALSE;
        }
      (*n_rows)++;
    }
  return TRUE;
}

/* --- GObject ----------------------------------------------------------------- */

static void
hq_store_finalize (GObject *object)
{
  HqStore *self = HQ_STORE (object);

  g_clear_object (&self->db);
  G_OBJECT_CLASS (hq_store_parent_class)->finalize (object);
}

static void
hq_store_class_init (HqStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hq_store_finalize;
}

static void
hq_store_init (HqStore *self)
{
}

/* --- Public API ----------------------------------------------------------------- */

void
hq_enrollment_free (HqEnrollment *enrollment)
{
  if (enrollment == NULL)
    return;
  g_free (enrollment->till_id);
  g_free (enrollment->store_id);
  g_free (enrollment);
}

void
hq_till_free (HqTill *till)
{
  if (till == NULL)
    return;
  g_free (till->till_id);
  g_free (till->store_id);
  g_free (till->group_id);
  g_free (till->journal_key);
  g_free (till);
}

/**
 * hq_store_open:
 * @location: an SQLite path or a PostgreSQL location (see hq_db_open())
 *
 * Returns: (transfer full): the store with its schema up to date, or %NULL
 */
HqStore *
hq_store_open (const char *location, GError **error)
{
  g_autoptr (HqStore) self = NULL;
  g_autoptr (HqDb) db = NULL;

  g_return_val_if_fail (location != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  db = hq_db_open (location, error);
  if (db == NULL || !migrate (db, error))
    return NULL;
  self = g_object_new (HQ_TYPE_STORE, NULL);
  self->db = g_steal_pointer (&db);
  return g_steal_pointer (&self);
}

/**
 * hq_store_get_db:
 *
 * Returns: (transfer none): the store's database connection
 */
HqDb *
hq_store_get_db (HqStore *self)
{
  g_return_val_if_fail (HQ_IS_STORE (self), NULL);
  return self->db;
}

/**
 * hq_store_put_group:
 * Creates the group or renames it.
 */
gboolean
hq_store_put_group (HqStore *self, const char *group_id, const char *name, GError **error)
{
  gboolean began;

  g_return_val_if_fail (HQ_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!begin_unless_open (self, &began, error))
    return FALSE;
  return commit_if_began (self, began, put_group_locked (self, group_id, name, error), error);
}

/**
 * hq_store_put_store:
 * Creates the store or changes its name and group (%NULL: none), and its
 * "store.group" setting row with it.
 */
gboolean
hq_store_put_store (
    HqStore *self, const char *store_id, const char *name, const char *group_id, GError **error)
{
  gboolean began;

  g_return_val_if_fail (HQ_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!begin_unless_open (self, &began, error))
    return FALSE;
  return commit_if_began (self, began, put_store_locked (self, store_id, name, group_id, error),
                          error);
}

/**
 * hq_store_create_enroll_token:
 * @valid_us: how long the token may be used, from now
 *
 * Returns: (transfer full): the secret, 32 hex digits; only its SHA-256 is kept
 */
char *
hq_store_create_enroll_token (
    HqStore *self, const char *store_id, guint till_no, gint64 valid_us, GError **error)
{
  guint8           random[16];
  g_autofree char *secret = NULL;
  g_autofree char *token_hash = NULL;
  gboolean         exists = FALSE;
  gint64           created_us = now_us ();

  g_return_val_if_fail (HQ_IS_STORE (self), NULL);
  g_return_val_if_fail (store_id != NULL, NULL);
  g_return_val_if_fail (valid_us > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (till_no < 1 || till_no > 99)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                   _ ("A till number is 1 to 99, not %u"), till_no);
      return NULL;
    }
  if (!row_exists (self, "SELECT 1 FROM hq_store WHERE store_id = $1", store_id, &exists, error))
    return NULL;
  if (!exists)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND, _ ("There is no store “%s”"),
                   store_id);
      return NULL;
    }
  if (RAND_bytes (random, sizeof random) != 1)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_FAILED,
                   _ ("The system's random generator failed"));
      return NULL;
    }
  secret = g_malloc (2 * sizeof random + 1);
  for (gsize i = 0; i < sizeof random; i++)
    g_snprintf (secret + 2 * i, 3, "%02x", random[i]);
  token_hash = till_wire_sha256_hex (secret, strlen (secret));

  {
    HqDbValue params[] = {
      HQ_DB_V_TEXT (token_hash),
      HQ_DB_V_TEXT (store_id),
      HQ_DB_V_INT (till_no),
      HQ_DB_V_INT (created_us),
      HQ_DB_V_INT (created_us + valid_us),
    };

    if (hq_db_execute (self->db,
                       "INSERT INTO enroll_token (token_hash, store_id, till_no, created_us, "
                       "expires_us) VALUES ($1, $2, $3, $4, $5)",
                       params, G_N_ELEMENTS (params), error) < 0)
      return NULL;
  }
  return g_steal_pointer (&secret);
}

/**
 * hq_store_enroll:
 * Uses the token once and starts the till's next epoch.
 *
 * Returns: (transfer full): the till's id, store and new epoch, or %NULL
 */
HqEnrollment *
hq_store_enroll (HqStore    *self,
                 const char *token_secret,
                 const char *journal_key_b64,
                 GError    **error)
{
  g_autoptr (HqEnrollment) enrollment = NULL;
  g_autoptr (HqDbRows) token_rows = NULL;
  g_autoptr (HqDbRows) till_rows = NULL;
  g_autofree char *token_hash = NULL;
  gint64           now = now_us ();
  gint64           epoch;

  g_return_val_if_fail (HQ_IS_STORE (self), NULL);
  g_return_val_if_fail (token_secret != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!base64_has_length (journal_key_b64, 32))
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                   _ ("The journal key is not a base64 Ed25519 public key"));
      return NULL;
    }
  token_hash = till_wire_sha256_hex (token_secret, strlen (token_secret));

  if (!hq_db_begin (self->db, error))
    return NULL;
  {
    /* One statement both checks and uses the token, so two tills racing with
     * the same token cannot both get through. */
    HqDbValue params[] = { HQ_DB_V_TEXT (token_hash), HQ_DB_V_INT (now) };

    token_rows = hq_db_query (self->db,
                              "UPDATE enroll_token SET used_us = $2 WHERE token_hash = $1 "
                              "AND used_us IS NULL AND expires_us > $2 RETURNING store_id, till_no",
                              params, G_N_ELEMENTS (params), error);
  }
  if (token_rows == NULL)
    goto fail;
  if (hq_db_rows_get_n_rows (token_rows) != 1)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_TOKEN,
                   _ ("The enrollment token is unknown, used or expired"));
      goto fail;
    }
  enrollment = g_new0 (HqEnrollment, 1);
  enrollment->store_id = g_strdup (hq_db_rows_get_text (token_rows, 0, 0));
  enrollment->till_id = g_strdup_printf ("%s-%02" PRId64, enrollment->store_id,
                                         hq_db_rows_get_int (token_rows, 0, 1));

  {
    HqDbValue params[] = { HQ_DB_V_TEXT (enrollment->till_id) };

    till_rows =
        hq_db_query (self->db, "SELECT epoch FROM till WHERE till_id = $1", params, 1, error);
  }
  if (till_rows == NULL)
    goto fail;
  epoch = hq_db_rows_get_n_rows (till_rows) > 0 ? hq_db_rows_get_int (till_rows, 0, 0) + 1 : 1;
  {
    /* A new epoch retires the earlier certificate and the journal head of
     * the earlier epoch: the till starts over. */
    HqDbValue params[] = {
      HQ_DB_V_TEXT (enrollment->till_id),
      HQ_DB_V_TEXT (enrollment->store_id),
      HQ_DB_V_INT (hq_db_rows_get_int (token_rows, 0, 1)),
      HQ_DB_V_INT (epoch),
      HQ_DB_V_TEXT (journal_key_b64),
      HQ_DB_V_INT (now),
    };

    if (hq_db_execute (self->db,
                       "INSERT INTO till (till_id, store_id, till_no, epoch, cert_fingerprint, "
                       "journal_key, enrolled_us, head_seq, head_hash) "
                       "VALUES ($1, $2, $3, $4, NULL, $5, $6, 0, NULL) "
                       "ON CONFLICT (till_id) DO UPDATE SET epoch = excluded.epoch, "
                       "cert_fingerprint = NULL, journal_key = excluded.journal_key, "
                       "enrolled_us = excluded.enrolled_us, head_seq = 0, head_hash = NULL",
                       params, G_N_ELEMENTS (params), error) < 0)
      goto fail;
  }
  {
    HqDbValue params[] = { HQ_DB_V_TEXT (enrollment->till_id), HQ_DB_V_INT (epoch) };

    if (hq_db_execute (
            self->db,
            "INSERT INTO till_epoch (till_id, epoch, acked_through) VALUES ($1, $2, NULL) "
            "ON CONFLICT (till_id, epoch) DO NOTHING",
            params, G_N_ELEMENTS (params), error) < 0)
      goto fail;
  }
  if (!hq_db_commit (self->db, error))
    goto fail;
  enrollment->epoch = (guint32) epoch;
  return g_steal_pointer (&enrollment);

fail:
  hq_db_rollback (self->db);
  return NULL;
}

/**
 * hq_store_set_till_certificate:
 * Makes @cert_fingerprint the till's only accepted certificate.
 */
gboolean
hq_store_set_till_certificate (HqStore    *self,
                               const char *till_id,
                               const char *cert_fingerprint,
                               GError    **error)
{
  HqDbValue params[] = { HQ_DB_V_TEXT (till_id), HQ_DB_V_TEXT (cert_fingerprint) };
  gint64    changed;

  g_return_val_if_fail (HQ_IS_STORE (self), FALSE);
  g_return_val_if_fail (till_id != NULL && cert_fingerprint != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  changed = hq_db_execute (self->db, "UPDATE till SET cert_fingerprint = $2 WHERE till_id = $1",
                           params, G_N_ELEMENTS (params), error);
  if (changed < 0)
    return FALSE;
  if (changed == 0)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND, _ ("There is no till “%s”"),
                   till_id);
      return FALSE;
    }
  return TRUE;
}

/**
 * hq_store_find_till_by_certificate:
 *
 * Returns: (transfer full): the till whose current certificate this is, or
 *   %NULL with HQ_STORE_ERROR_FORBIDDEN
 */
HqTill *
hq_store_find_till_by_certificate (HqStore *self, const char *cert_fingerprint, GError **error)
{
  HqDbValue params[] = { HQ_DB_V_TEXT (cert_fingerprint) };
  g_autoptr (HqDbRows) rows = NULL;
  HqTill *till;

  g_return_val_if_fail (HQ_IS_STORE (self), NULL);
  g_return_val_if_fail (cert_fingerprint != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = hq_db_query (self->db,
                      "SELECT t.till_id, t.store_id, s.group_id, t.epoch, t.journal_key "
                      "FROM till t JOIN hq_store s ON s.store_id = t.store_id "
                      "WHERE t.cert_fingerprint = $1",
                      params, G_N_ELEMENTS (params), error);
  if (rows == NULL)
    return NULL;
  if (hq_db_rows_get_n_rows (rows) == 0)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_FORBIDDEN,
                   _ ("This certificate belongs to no enrolled till"));
      return NULL;
    }
  till = g_new0 (HqTill, 1);
  till->till_id = g_strdup (hq_db_rows_get_text (rows, 0, 0));
  till->store_id = g_strdup (hq_db_rows_get_text (rows, 0, 1));
  till->group_id = g_strdup (hq_db_rows_get_text (rows, 0, 2));
  till->epoch = (guint32) hq_db_rows_get_int (rows, 0, 3);
  till->journal_key = g_strdup (hq_db_rows_get_text (rows, 0, 4));
  return till;
}

/**
 * hq_store_apply_batch:
 * See the header. Retries the whole transaction when the database reports a
 * conflict with another one.
 *
 * Returns: (transfer full): the ack, its countersig %NULL, or %NULL
 */
TillWireAck *
hq_store_apply_batch (HqStore             *self,
                      const HqTill        *till,
                      const TillWireBatch *batch,
                      gint64               received_us,
                      GError             **error)
{
  g_return_val_if_fail (HQ_IS_STORE (self), NULL);
  g_return_val_if_fail (till != NULL && batch != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_strcmp0 (batch->till_id, till->till_id) != 0 || batch->epoch != till->epoch)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_FORBIDDEN,
                   _ ("The batch of %s epoch %u came from till %s epoch %u"), batch->till_id,
                   batch->epoch, till->till_id, till->epoch);
      return NULL;
    }
  for (guint attempt = 1;; attempt++)
    {
      g_autoptr (GError) local_error = NULL;
      TillWireAck *ack = apply_batch_once (self, till, batch, received_us, &local_error);

      if (ack != NULL)
        return ack;
      if (attempt >= BUSY_ATTEMPTS || !g_error_matches (local_error, HQ_DB_ERROR, HQ_DB_ERROR_BUSY))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      /* Back off a little, more each time, with jitter so that the tills
       * that collided do not collide again. */
      g_usleep ((gulong) g_random_int_range (1000, 5000) * attempt);
    }
}

/**
 * hq_store_get_changes:
 * @limit: at most this many rows and tombstones (0 or more than
 *   TILL_WIRE_PAGE_MAX_ROWS: TILL_WIRE_PAGE_MAX_ROWS)
 *
 * Returns: (transfer full): one page, or %NULL (HQ_STORE_ERROR_GONE when
 *   @since is older than the tombstones HQ keeps)
 */
TillWirePage *
hq_store_get_changes (HqStore      *self,
                      const HqTill *till,
                      const char   *channel,
                      gint64        since,
                      guint         limit,
                      GError      **error)
{
  g_autoptr (TillWirePage) page = NULL;
  g_autoptr (HqDbRows) floor_rows = NULL;
  g_autoptr (HqDbRows) rows = NULL;
  g_autoptr (JsonParser) parser = NULL;
  g_autofree char *group_scope = NULL;
  g_autofree char *store_scope = NULL;
  guint            n_rows;

  g_return_val_if_fail (HQ_IS_STORE (self), NULL);
  g_return_val_if_fail (till != NULL && channel != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!till_wire_channel_is_known (channel))
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND, _ ("There is no channel “%s”"),
                   channel);
      return NULL;
    }
  if (limit == 0 || limit > TILL_WIRE_PAGE_MAX_ROWS)
    limit = TILL_WIRE_PAGE_MAX_ROWS;
  if (since < 0)
    since = 0;

  {
    HqDbValue params[] = { HQ_DB_V_TEXT (channel) };

    floor_rows = hq_db_query (self->db, "SELECT floor FROM channel_floor WHERE channel = $1",
                              params, 1, error);
  }
  if (floor_rows == NULL)
    return NULL;
  if (since > 0 && hq_db_rows_get_n_rows (floor_rows) > 0 &&
      since < hq_db_rows_get_int (floor_rows, 0, 0))
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_GONE,
                   _ ("The cursor %" PRId64 " of “%s” is older than the deletions HQ keeps"), since,
                   channel);
      return NULL;
    }

  store_scope = g_strconcat ("store:", till->store_id, NULL);
  group_scope = till->group_id != NULL ? g_strconcat ("group:", till->group_id, NULL) : NULL;
  {
    HqDbValue params[] = {
      HQ_DB_V_TEXT (channel),     HQ_DB_V_INT (since),     HQ_DB_V_TEXT (store_scope),
      HQ_DB_V_TEXT (group_scope), HQ_DB_V_INT (limit + 1),
    };

    rows = hq_db_query (self->db,
                        "SELECT id, scope, version, deleted, data FROM master_row "
                        "WHERE channel = $1 AND version > $2 AND scope IN ('all', $3, $4) "
                        "ORDER BY version LIMIT $5",
                        params, G_N_ELEMENTS (params), error);
  }
  if (rows == NULL)
    return NULL;

  page = till_wire_page_new (channel);
  parser = json_parser_new_immutable ();
  n_rows = MIN (hq_db_rows_get_n_rows (rows), limit);
  page->next_cursor = since;
  for (guint r = 0; r < n_rows; r++)
    {
      gint64 version = hq_db_rows_get_int (rows, r, 2);

      if (hq_db_rows_get_int (rows, r, 3) != 0)
        till_wire_page_add (page, hq_db_rows_get_text (rows, r, 0),
                            hq_db_rows_get_text (rows, r, 1), version, NULL);
      else
        {
          g_autoptr (GError) local_error = NULL;

          if (!json_parser_load_from_data (parser, hq_db_rows_get_text (rows, r, 4), -1,
                                           &local_error))
            {
              g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_FAILED,
                           _ ("Row %s of “%s” holds bad JSON: %s"),
                           hq_db_rows_get_text (rows, r, 0), channel, local_error->message);
              return NULL;
            }
          till_wire_page_add (page, hq_db_rows_get_text (rows, r, 0),
                              hq_db_rows_get_text (rows, r, 1), version,
                              json_parser_get_root (parser));
        }
      page->next_cursor = version;
    }
  page->has_more = hq_db_rows_get_n_rows (rows) > limit;
  page->total = -1;
  /* A till that has read to the end holds everything up to the floor too
   * (what was purged below it was deleted): without this, a reload that
   * ends below the floor would be answered 410 again at the next pull. */
  if (!page->has_more && hq_db_rows_get_n_rows (floor_rows) > 0)
    page->next_cursor = MAX (page->next_cursor, hq_db_rows_get_int (floor_rows, 0, 0));
  if (!page->has_more)
    {
      HqDbValue params[] = {
        HQ_DB_V_TEXT (channel),
        HQ_DB_V_TEXT (store_scope),
        HQ_DB_V_TEXT (group_scope),
      };
      g_autoptr (HqDbRows) count =
          hq_db_query (self->db,
                       "SELECT count(*) FROM master_row WHERE channel = $1 AND deleted = 0 "
                       "AND scope IN ('all', $2, $3)",
                       params, G_N_ELEMENTS (params), error);

      if (count == NULL)
        return NULL;
      page->total = hq_db_rows_get_int (count, 0, 0);
    }
  return g_steal_pointer (&page);
}

/**
 * hq_store_purge_tombstones:
 * Drops the tombstones deleted before @before_us and raises each channel's
 * floor to the newest version dropped.
 *
 * Returns: how many tombstones went, or -1 with @error set
 */
gint64
hq_store_purge_tombstones (HqStore *self, gint64 before_us, GError **error)
{
  HqDbValue param = HQ_DB_V_INT (before_us);
  g_autoptr (HqDbRows) floors = NULL;
  gint64 purged;

  g_return_val_if_fail (HQ_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!hq_db_begin (self->db, error))
    return -1;
  floors = hq_db_query (self->db,
                        "SELECT channel, max(version) FROM master_row "
                        "WHERE deleted = 1 AND deleted_us < $1 GROUP BY channel",
                        &param, 1, error);
  if (floors == NULL)
    goto fail;
  for (guint r = 0; r < hq_db_rows_get_n_rows (floors); r++)
    {
      HqDbValue params[] = {
        HQ_DB_V_TEXT (hq_db_rows_get_text (floors, r, 0)),
        HQ_DB_V_INT (hq_db_rows_get_int (floors, r, 1)),
      };

      if (hq_db_execute (self->db,
                         "INSERT INTO channel_floor (channel, floor) VALUES ($1, $2) "
                         "ON CONFLICT (channel) DO UPDATE SET floor = CASE WHEN excluded.floor > "
                         "channel_floor.floor THEN excluded.floor ELSE channel_floor.floor END",
                         params, G_N_ELEMENTS (params), error) < 0)
        goto fail;
    }
  purged = hq_db_execute (self->db, "DELETE FROM master_row WHERE deleted = 1 AND deleted_us < $1",
                          &param, 1, error);
  if (purged < 0 || !hq_db_commit (self->db, error))
    goto fail;
  return purged;

fail:
  hq_db_rollback (self->db);
  return -1;
}

/**
 * hq_store_put_row:
 * Puts one row of @channel; see the header. Putting a row with the data it
 * already has makes no new version.
 */
gboolean
hq_store_put_row (HqStore    *self,
                  const char *channel,
                  const char *id,
                  const char *scope,
                  JsonObject *data,
                  GError    **error)
{
  gboolean began;

  g_return_val_if_fail (HQ_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel != NULL && scope != NULL && data != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_not_store_group (channel, id, error) || !begin_unless_open (self, &began, error))
    return FALSE;
  return commit_if_began (self, began, put_row_locked (self, channel, id, scope, data, error),
                          error);
}

/**
 * hq_store_delete_row:
 * Turns the row into a tombstone with a new version (tills pull it and drop
 * the row). Deleting a tombstone again changes nothing.
 */
gboolean
hq_store_delete_row (
    HqStore *self, const char *channel, const char *id, const char *scope, GError **error)
{
  HqDbValue key[] = { HQ_DB_V_TEXT (channel), HQ_DB_V_TEXT (id), HQ_DB_V_TEXT (scope) };
  g_autoptr (HqDbRows) existing = NULL;
  gboolean began;
  gboolean ok = FALSE;
  gint64   version;

  g_return_val_if_fail (HQ_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel != NULL && id != NULL && scope != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_not_store_group (channel, id, error) || !begin_unless_open (self, &began, error))
    return FALSE;
  existing = hq_db_query (
      self->db, "SELECT deleted FROM master_row WHERE channel = $1 AND id = $2 AND scope = $3", key,
      G_N_ELEMENTS (key), error);
  if (existing == NULL)
    goto out;
  if (hq_db_rows_get_n_rows (existing) == 0)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND,
                   _ ("There is no row “%s” of “%s” in scope “%s”"), id, channel, scope);
      goto out;
    }
  if (hq_db_rows_get_int (existing, 0, 0) != 0)
    {
      ok = TRUE;
      goto out;
    }
  if (!next_version (self, &version, error))
    goto out;
  {
    HqDbValue params[] = {
      HQ_DB_V_TEXT (channel), HQ_DB_V_TEXT (id),       HQ_DB_V_TEXT (scope),
      HQ_DB_V_INT (version),  HQ_DB_V_INT (now_us ()),
    };

    ok = hq_db_execute (
             self->db,
             "UPDATE master_row SET deleted = 1, deleted_us = $5, version = $4, data = NULL "
             "WHERE channel = $1 AND id = $2 AND scope = $3",
             params, G_N_ELEMENTS (params), error) >= 0;
  }

out:
  return commit_if_began (self, began, ok, error);
}

/**
 * hq_store_import_file:
 * Imports master data in one transaction; see the header for the form.
 */
gboolean
hq_store_import_file (HqStore *self, const char *path, guint *out_rows, GError **error)
{
  static const char *const sections[] = {
    "groups", "stores",   "categories", "items",   "prices",
    "users",  "settings", "promotions", "members",
  };
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) local_error = NULL;
  JsonNode *root;
  guint     n_rows = 0;

  g_return_val_if_fail (HQ_IS_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!json_parser_load_from_mapped_file (parser, path, &local_error))
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID, _ ("Cannot read %s: %s"), path,
                   local_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID, _ ("%s is not a JSON object"),
                   path);
      return FALSE;
    }
  {
    g_autoptr (GList) members = json_object_get_members (json_node_get_object (root));

    for (GList *l = members; l != NULL; l = l->next)
      if (!g_strv_contains (sections, l->data))
        {
          g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                       _ ("%s: “%s” is not a section"), path, (const char *) l->data);
          return FALSE;
        }
  }

  if (!hq_db_begin (self->db, error))
    return FALSE;
  for (gsize s = 0; s < G_N_ELEMENTS (sections); s++)
    {
      if (!import_section (self, json_node_get_object (root), sections[s], &n_rows, error))
        {
          hq_db_rollback (self->db);
          return FALSE;
        }
    }
  if (!hq_db_commit (self->db, error))
    {
      hq_db_rollback (self->db);
      return FALSE;
    }
  if (out_rows != NULL)
    *out_rows = n_rows;
  return TRUE;
}

/* Adds "AND column >= $n" etc. for the filters given. */
static void
add_report_filters (
    GString *sql, GArray *params, const char *store_id, const char *from_day, const char *to_day)
{
  g_string_append (sql, " WHERE 1 = 1");
  if (store_id != NULL)
    {
      params_add_text (params, store_id);
      g_string_append_printf (sql, " AND store_id = $%u", params->len);
    }
  if (from_day != NULL)
    {
      params_add_text (params, from_day);
      g_string_append_printf (sql, " AND business_day >= $%u", params->len);
    }
  if (to_day != NULL)
    {
      params_add_text (params, to_day);
      g_string_append_printf (sql, " AND business_day <= $%u", params->len);
    }
}

/**
 * hq_store_report_days:
 *
 * Returns: (transfer full): (store_id, business_day, receipts, returns,
 *   total) ordered by store and day, or %NULL
 */
HqDbRows *
hq_store_report_days (
    HqStore *self, const char *store_id, const char *from_day, const char *to_day, GError **error)
{
  g_autoptr (GString) sql =
      g_string_new ("SELECT store_id, business_day, receipts, returns, total FROM sales_store_day");
  g_autoptr (GArray) params = params_new (3);

  g_return_val_if_fail (HQ_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  add_report_filters (sql, params, store_id, from_day, to_day);
  g_string_append (sql, " ORDER BY store_id, business_day");
  return query (self, sql->str, params, error);
}

/**
 * hq_store_report_products:
 *
 * Returns: (transfer full): (store_id, business_day, sku, name, quantity,
 *   amount) ordered by store, day and sku, or %NULL
 */
HqDbRows *
hq_store_report_products (
    HqStore *self, const char *store_id, const char *from_day, const char *to_day, GError **error)
{
  g_autoptr (GString) sql = g_string_new (
      "SELECT store_id, business_day, sku, name, quantity, amount FROM sales_product_day");
  g_autoptr (GArray) params = params_new (3);

  g_return_val_if_fail (HQ_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  add_report_filters (sql, params, store_id, from_day, to_day);
  g_string_append (sql, " ORDER BY store_id, business_day, sku");
  return query (self, sql->str, params, error);
}

/**
 * hq_store_list_z_reports:
 * @till_id: (nullable): only this till
 * @store_id: (nullable): only this store's tills
 *
 * Returns: (transfer full): (till_id, store_id, z_no, business_day,
 *   closed_us, sales_total, returns_total, grand_total, continuity, detail,
 *   uuid), or %NULL
 */
HqDbRows *
hq_store_list_z_reports (HqStore *self, const char *till_id, const char *store_id, GError **error)
{
  g_autoptr (GString) sql = g_string_new (
      "SELECT till_id, store_id, z_no, business_day, COALESCE(closed_us, 0), sales_total, "
      "returns_total, grand_total, continuity, detail, uuid FROM z_report WHERE 1 = 1");
  g_autoptr (GArray) params = params_new (2);

  g_return_val_if_fail (HQ_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (till_id != NULL)
    {
      params_add_text (params, till_id);
      g_string_append_printf (sql, " AND till_id = $%u", params->len);
    }
  if (store_id != NULL)
    {
      params_add_text (params, store_id);
      g_string_append_printf (sql, " AND store_id = $%u", params->len);
    }
  g_string_append (sql, " ORDER BY store_id, till_id, z_no, received_us, uuid");
  return query (self, sql->str, params, error);
}

/**
 * hq_store_list_incidents:
 *
 * Returns: (transfer full): (id, created_us, till_id, kind, detail), newest
 *   first, at most @limit (0: all)
 */
HqDbRows *
hq_store_list_incidents (HqStore *self, guint limit, GError **error)
{
  HqDbValue param = HQ_DB_V_INT (limit > 0 ? (gint64) limit : G_MAXINT64);

  g_return_val_if_fail (HQ_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return hq_db_query (self->db,
                      "SELECT id, created_us, till_id, kind, detail FROM incident "
                      "ORDER BY id DESC LIMIT $1",
                      &param, 1, error);
}

/**
 * hq_store_list_tills:
 *
 * Returns: (transfer full): (till_id, store_id, epoch, acked_through,
 *   last_seen_us, clock_skew_us) ordered by till, or %NULL
 */
HqDbRows *
hq_store_list_tills (HqStore *self, GError **error)
{
  g_return_val_if_fail (HQ_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return hq_db_query (self->db,
                      "SELECT t.till_id, t.store_id, t.epoch, COALESCE(e.acked_through, 0), "
                      "t.last_seen_us, t.clock_skew_us FROM till t "
                      "LEFT JOIN till_epoch e ON e.till_id = t.till_id AND e.epoch = t.epoch "
                      "ORDER BY t.till_id",
                      NULL, 0, error);
}

/**
 * hq_store_count_documents:
 * @kind: (nullable): "sale", "return", …; %NULL for every kind
 * @till_id: (nullable): %NULL for every till
 *
 * Returns: how many documents HQ holds, or -1 with @error set
 */
gint64
hq_store_count_documents (HqStore *self, const char *kind, const char *till_id, GError **error)
{
  g_autoptr (GString) sql = g_string_new ("SELECT count(*) FROM document WHERE 1 = 1");
  g_autoptr (GArray) params = params_new (2);
  g_autoptr (HqDbRows) rows = NULL;

  g_return_val_if_fail (HQ_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (kind != NULL)
    {
      params_add_text (params, kind);
      g_string_append_printf (sql, " AND kind = $%u", params->len);
    }
  if (till_id != NULL)
    {
      params_add_text (params, till_id);
      g_string_append_printf (sql, " AND till_id = $%u", params->len);
    }
  rows = query (self, sql->str, params, error);
  if (rows == NULL)
    return -1;
  return hq_db_rows_get_int (rows, 0, 0);
}

/**
 * hq_store_check_promotion:
 * @promotion: one promotion in the till's JSON
 *
 * HQ's checks of a promotion, those it can make without the till's core;
 * see the header.
 *
 * Returns: %TRUE when it passes, else %FALSE with HQ_STORE_ERROR_INVALID
 */
gboolean
hq_store_check_promotion (JsonObject *promotion, GError **error)
{
  g_return_val_if_fail (promotion != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return check_promotion (promotion, error);
}

/**
 * hq_store_set_promotions:
 * @promotions: one promotion object, or an array of them
 * @scope: (nullable): where they apply; %NULL: each promotion's own "scope",
 *   else "all"
 * @out_n_set: (out) (optional): how many promotions were given
 *
 * Upserts every promotion by code in the "promotions" channel, in one
 * transaction: on any error nothing is saved, and the error names the
 * promotion (its position in a list, and its code).
 */
gboolean
hq_store_set_promotions (
    HqStore *self, JsonNode *promotions, const char *scope, guint *out_n_set, GError **error)
{
  g_autoptr (GPtrArray) objects = g_ptr_array_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean listed;
  gboolean began;
  gboolean ok = TRUE;

  g_return_val_if_fail (HQ_IS_STORE (self), FALSE);
  g_return_val_if_fail (promotions != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  listed = JSON_NODE_HOLDS_ARRAY (promotions);
  if (JSON_NODE_HOLDS_OBJECT (promotions))
    g_ptr_array_add (objects, promotions);
  else if (listed)
    {
      JsonArray *array = json_node_get_array (promotions);

      for (guint i = 0; i < json_array_get_length (array); i++)
        g_ptr_array_add (objects, json_array_get_element (array, i));
    }
  if (objects->len == 0)
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                   _ ("Expected a promotion (a JSON object) or a list of them"));
      return FALSE;
    }

  if (!begin_unless_open (self, &began, error))
    return FALSE;
  for (guint i = 0; ok && i < objects->len; i++)
    {
      JsonNode        *node = g_ptr_array_index (objects, i);
      JsonObject      *promotion;
      const char      *own_scope;
      const char      *code = NULL;
      const char      *row_scope;
      g_autofree char *key = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                       _ ("Not a promotion (a JSON object)"));
          ok = FALSE;
        }
      else
        {
          promotion = json_node_get_object (node);
          own_scope = json_get_string (promotion, "scope");
          row_scope = scope != NULL ? scope : own_scope != NULL ? own_scope : "all";
          /* Checked here first, so that every problem, an unknown scope
           * too, is named by the promotion's code once. */
          if (!require_string (promotion, "code", &code, error))
            ok = FALSE;
          else if (!check_promotion (promotion, error))
            ok = FALSE;
          else if (scope != NULL && own_scope != NULL && strcmp (scope, own_scope) != 0)
            {
              g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                           _ ("its “scope” %s is not the scope asked for, %s"), own_scope, scope);
              ok = FALSE;
            }
          else
            {
              key = g_strconcat (code, "\n", row_scope, NULL);
              if (g_hash_table_contains (seen, key))
                {
                  g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID,
                               _ ("it comes twice for scope %s"), row_scope);
                  ok = FALSE;
                }
              else
                {
                  g_hash_table_add (seen, g_steal_pointer (&key));
                  ok = put_row_locked (self, "promotions", code, row_scope, promotion, error);
                }
            }
          if (!ok && code != NULL)
            g_prefix_error (error, "“%s”: ", code);
        }
      if (!ok && listed)
        g_prefix_error (error, "promotions[%u]: ", i);
    }
  if (!commit_if_began (self, began, ok, error))
    return FALSE;
  if (out_n_set != NULL)
    *out_n_set = objects->len;
  return TRUE;
}

/**
 * hq_store_remove_promotion:
 * @scope: (nullable): the scope to remove it from; %NULL: every scope it is
 *   set in
 *
 * Turns the promotion into a tombstone (tills drop it at their next pull),
 * in one transaction.
 *
 * Returns: (transfer full): the scopes it was removed from, or %NULL with
 *   HQ_STORE_ERROR_NOT_FOUND when it is set in none of them
 */
GStrv
hq_store_remove_promotion (HqStore *self, const char *code, const char *scope, GError **error)
{
  g_autoptr (HqDbRows) live = NULL;
  g_autoptr (GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  gboolean began;
  gboolean ok;

  g_return_val_if_fail (HQ_IS_STORE (self), NULL);
  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!begin_unless_open (self, &began, error))
    return NULL;
  if (scope != NULL)
    {
      HqDbValue params[] = { HQ_DB_V_TEXT (code), HQ_DB_V_TEXT (scope) };

      live = hq_db_query (self->db,
                          "SELECT scope FROM master_row WHERE channel = 'promotions' "
                          "AND id = $1 AND scope = $2 AND deleted = 0",
                          params, G_N_ELEMENTS (params), error);
    }
  else
    {
      HqDbValue params[] = { HQ_DB_V_TEXT (code) };

      live = hq_db_query (self->db,
                          "SELECT scope FROM master_row WHERE channel = 'promotions' "
                          "AND id = $1 AND deleted = 0 ORDER BY scope",
                          params, G_N_ELEMENTS (params), error);
    }
  ok = live != NULL;
  if (ok && hq_db_rows_get_n_rows (live) == 0)
    {
      if (scope != NULL)
        g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND,
                     _ ("There is no promotion “%s” in scope %s"), code, scope);
      else
        g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND,
                     _ ("There is no promotion “%s”"), code);
      ok = FALSE;
    }
  for (guint r = 0; ok && r < hq_db_rows_get_n_rows (live); r++)
    {
      const char *row_scope = hq_db_rows_get_text (live, r, 0);

      ok = hq_store_delete_row (self, "promotions", code, row_scope, error);
      g_ptr_array_add (removed, g_strdup (row_scope));
    }
  if (!commit_if_began (self, began, ok, error))
    return NULL;
  g_ptr_array_add (removed, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&removed), FALSE);
}

/**
 * hq_store_list_rows:
 * @scope: (nullable): only this scope; %NULL: every scope
 *
 * Returns: (transfer full): the live rows of @channel, (id, scope, version,
 *   data as JSON text), by id then scope; %NULL with @error set
 */
HqDbRows *
hq_store_list_rows (HqStore *self, const char *channel, const char *scope, GError **error)
{
  g_return_val_if_fail (HQ_IS_STORE (self), NULL);
  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!till_wire_channel_is_known (channel))
    {
      g_set_error (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND, _ ("There is no channel “%s”"),
                   channel);
      return NULL;
    }
  if (scope != NULL)
    {
      HqDbValue params[] = { HQ_DB_V_TEXT (channel), HQ_DB_V_TEXT (scope) };

      if (!scope_check (self, scope, error))
        return NULL;
      return hq_db_query (self->db,
                          "SELECT id, scope, version, data FROM master_row "
                          "WHERE channel = $1 AND scope = $2 AND deleted = 0 ORDER BY id, scope",
                          params, G_N_ELEMENTS (params), error);
    }
  {
    HqDbValue params[] = { HQ_DB_V_TEXT (channel) };

    return hq_db_query (self->db,
                        "SELECT id, scope, version, data FROM master_row "
                        "WHERE channel = $1 AND deleted = 0 ORDER BY id, scope",
                        params, G_N_ELEMENTS (params), error);
  }
}
