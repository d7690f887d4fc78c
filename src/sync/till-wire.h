/* till-wire.h: the sync protocol's messages, shared by the till (src/sync) and
 * HQ (src/hq): push batches and their acks, master-data pages, enrollment.
 * It knows JSON and bytes, never a database. docs/sync-api.md is the prose
 * version of this header.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define TILL_WIRE_ERROR (till_wire_error_quark ())

typedef enum
{
  TILL_WIRE_ERROR_MALFORMED, /* not the JSON this message must be */
  TILL_WIRE_ERROR_SIGNATURE, /* a signature does not verify */
} TillWireError;

GQuark till_wire_error_quark (void);

/* --- Push: POST /v1/push ---------------------------------------------------
 *
 * Headers: Idempotency-Key: till_wire_batch_key ();
 *          X-Opentill-Signature: base64 Ed25519 signature over the body bytes,
 *          made with the till's journal key (registered at enrollment).
 * Body (till_wire_batch_encode):
 *   {"till_id":"S001-01","epoch":2,"acked_base":56,"sent_us":…,
 *    "head_seq":123,"head_hash":"<64 hex>",
 *    "items":[{"seq":57,"kind":"sale","ref":"<uuid>","sha256":"<64 hex>",
 *              "payload":"<the outbox payload, a JSON text, as a string>"}]}
 * acked_base is the highest seq the till already holds as acknowledged (it
 * never sends those again); items are in seq order, seq +1 each. head_* is
 * the newest journal entry (seq 0 and 64 zeros for an empty journal).
 * The payload travels as a string so that its SHA-256 can be checked over the
 * exact bytes the till hashed. */

/* Limits of one batch (SYNC.md §5 6.4). */
#define TILL_WIRE_BATCH_MAX_ITEMS 200
#define TILL_WIRE_BATCH_MAX_BYTES (256 * 1024)

typedef struct
{
  gint64 seq;
  char  *kind;     /* "sale", "return", "sale-note", … */
  char  *ref_uuid; /* the document's own id: the idempotency key for HQ */
  char  *payload;  /* NUL-terminated JSON text */
  char  *sha256;   /* 64 lower-case hex digits of SHA-256 (payload) */
} TillWireItem;

TillWireItem *till_wire_item_new (gint64      seq,
                                  const char *kind,
                                  const char *ref_uuid,
                                  const char *payload,
                                  const char *sha256_hex);
void          till_wire_item_free (TillWireItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillWireItem, till_wire_item_free)

typedef struct
{
  char      *till_id;
  guint32    epoch;
  gint64     acked_base;
  gint64     sent_us;
  gint64     head_seq;
  char      *head_hash; /* 64 hex */
  GPtrArray *items;     /* TillWireItem, owned */
} TillWireBatch;

TillWireBatch *till_wire_batch_new (const char *till_id, guint32 epoch);
void           till_wire_batch_free (TillWireBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillWireBatch, till_wire_batch_free)

GBytes *till_wire_batch_encode (const TillWireBatch *batch);
/* Checks the shape (types, seq order +1, sha256 of each payload). A payload
 * whose hash does not match is not an error here: it is kept, and
 * till_wire_item_hash_ok() tells, so that HQ rejects that item alone. */
TillWireBatch *till_wire_batch_decode (GBytes *body, GError **error);
gboolean       till_wire_item_hash_ok (const TillWireItem *item);
/* "<till_id>:<epoch>:<first_seq>-<last_seq>" */
char *till_wire_batch_key (const TillWireBatch *batch) G_GNUC_WARN_UNUSED_RESULT;

/* --- The ack (the reply to a push, HTTP 200) --------------------------------
 *   {"acked_through":N,"server_us":…,"countersig":"<base64>",
 *    "items":[{"seq":57,"status":"ok"},{"seq":58,"status":"duplicate"},
 *             {"seq":59,"status":"rejected","reason":"…"},
 *             {"seq":60,"status":"conflict","reason":"…"}]}
 * acked_through is the contiguous high-water mark of the till's epoch at HQ:
 * every seq up to it is stored there. countersig is HQ's Ed25519 signature
 * over till_wire_countersig_message (till_id, epoch, acked_through, head_seq,
 * head_hash). */
typedef enum
{
  TILL_WIRE_ITEM_OK,        /* stored now */
  TILL_WIRE_ITEM_DUPLICATE, /* stored before, same payload */
  TILL_WIRE_ITEM_REJECTED,  /* HQ cannot load it (poisoned): it stays queued */
  TILL_WIRE_ITEM_CONFLICT,  /* same key, different payload: never overwritten */
} TillWireItemStatus;

const char *till_wire_item_status_to_string (TillWireItemStatus status);

typedef struct
{
  gint64             seq;
  TillWireItemStatus status;
  char              *reason; /* NULL for ok and duplicate */
} TillWireItemResult;

typedef struct
{
  gint64  acked_through;
  gint64  server_us;
  char   *countersig; /* base64 */
  GArray *items;      /* TillWireItemResult; their reasons are owned */
} TillWireAck;

TillWireAck *till_wire_ack_new (void);
void
till_wire_ack_add (TillWireAck *ack, gint64 seq, TillWireItemStatus status, const char *reason);
void till_wire_ack_free (TillWireAck *ack);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillWireAck, till_wire_ack_free)

GBytes      *till_wire_ack_encode (const TillWireAck *ack);
TillWireAck *till_wire_ack_decode (GBytes *body, GError **error);

/* The bytes HQ countersigns: "opentill-ack-v1\n<till_id>\n<epoch>\n
 * <acked_through>\n<head_seq>\n<head_hash>\n". */
GBytes *till_wire_countersig_message (const char *till_id,
                                      guint32     epoch,
                                      gint64      acked_through,
                                      gint64      head_seq,
                                      const char *head_hash);

/* --- Pull: GET /v1/changes?channel=C&since=N&limit=L -------------------------
 *   {"channel":"prices","rows":[{"id":"…","scope":"store:S001","version":N,
 *                               "data":{…}}],
 *    "tombstones":[{"id":"…","scope":"all","version":N}],
 *    "next_cursor":N,"has_more":true,"total":-1}
 * Rows and tombstones are those with version > since visible to the asking
 * till's store (scope "all", "group:<its group>", "store:<its store>"), in
 * version order, at most limit (≤ TILL_WIRE_PAGE_MAX_ROWS) of both together.
 * total is the number of live rows the till should hold for the channel,
 * given on the last page only (has_more false), else -1: the drift check.
 * 410 Gone: since is older than the tombstones HQ still keeps; the till
 * reloads the channel from since=0 into a shadow copy and swaps it in.
 *
 * What "data" holds, per channel (all money in fen, times in µs since the
 * Unix epoch):
 *   categories  id=code   {"code","name","parent":code|null,"sort_order"}
 *   items       id=sku    {"sku","name","short_name","unit","category":code|null,
 *                          "barcodes":[…],"plu","brand","vat_rate","weighed",
 *                          "active","cost","price","member_price"}
 *               (price is the list price: what the item costs where no
 *               prices row applies)
 *   prices      id="<sku>@<effective_from_us>"
 *                         {"sku","price","member_price","effective_from_us"}
 *               the till uses, for each sku, the row of the most specific
 *               scope (store, then group, then all) with the latest
 *               effective_from_us not after now; rows are shipped ahead.
 *   users       id=code   {"code","name","role","active","kdf":"scrypt:16384:8:1",
 *                          "pin_salt":b64,"pin_hash":b64,"max_line_discount_bp",
 *                          "max_price_override","max_refund"} (limits may be null)
 *   settings    id=key    {"key","value"}; the most specific scope wins
 *   promotions  id=code   HQ's promotion document, as imported (issue 8)
 *   members     id=code   HQ's member document, as imported (issue 9)
 */
#define TILL_WIRE_PAGE_MAX_ROWS 1000

/* The channels, in the order a till pulls them (categories before items). */
extern const char *const till_wire_channels[];
gboolean                 till_wire_channel_is_known (const char *channel);

typedef struct
{
  char     *id;
  char     *scope; /* "all", "group:<id>" or "store:<id>" */
  gint64    version;
  JsonNode *data; /* an object; NULL for a tombstone */
} TillWireRow;

typedef struct
{
  char      *channel;
  GPtrArray *rows;       /* TillWireRow with data */
  GPtrArray *tombstones; /* TillWireRow without */
  gint64     next_cursor;
  gboolean   has_more;
  gint64     total; /* -1 unless the last page */
} TillWirePage;

TillWirePage *till_wire_page_new (const char *channel);
/* Takes a reference on @data (NULL for a tombstone). */
void till_wire_page_add (
    TillWirePage *page, const char *id, const char *scope, gint64 version, JsonNode *data);
void till_wire_page_free (TillWirePage *page);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillWirePage, till_wire_page_free)

GBytes       *till_wire_page_encode (const TillWirePage *page);
TillWirePage *till_wire_page_decode (GBytes *body, GError **error);

/* The scope rank the till sorts by: store 2, group 1, all 0, -1 otherwise. */
int till_wire_scope_rank (const char *scope);

/* --- Enrollment: POST /v1/enroll (TLS, no client certificate yet) ------------
 * Request:  {"token":"<secret>","csr":"<PEM>","journal_key":"<b64 raw Ed25519>",
 *            "hostname":"…"}
 * Reply:    {"till_id":"S001-01","store_id":"S001","epoch":1,
 *            "certificate":"<PEM>","ca":"<PEM>","hq_key":"<b64 raw Ed25519>"}
 * Errors reply {"error":"…"} with 400 (malformed), 403 (token unknown, used or
 * expired).
 *
 * The token store IT types is "<secret>.<pin>": secret is 32 hex digits,
 * pin the first 32 hex digits of SHA-256 over HQ's CA certificate (DER). The
 * till trusts the server only through a CA with that hash. */
gboolean
till_wire_token_split (const char *token, char **out_secret, char **out_ca_pin, GError **error);

/* --- Errors: any non-200 reply carries {"error":"<text for store IT>"} ------ */
GBytes *till_wire_error_encode (const char *message);
/* The message of an error body, or NULL when it has none. */
char *till_wire_error_decode (GBytes *body) G_GNUC_WARN_UNUSED_RESULT;

/* --- Helpers both sides need ------------------------------------------------- */
char *till_wire_sha256_hex (const void *data, gsize len) G_GNUC_WARN_UNUSED_RESULT;
/* Ed25519 over @data with a raw 32-byte public key given in base64. */
gboolean till_wire_verify_ed25519 (const char *public_key_b64,
                                   GBytes     *data,
                                   const char *signature_b64,
                                   GError    **error);

G_END_DECLS
