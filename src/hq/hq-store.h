/* hq-store.h: what HQ keeps and decides: stores and groups, tills and their
 * enrollment, the sales every till pushes (applied once), the master data
 * tills pull, and the roll-ups HQ reports from. No HTTP here: hq-server
 * speaks the protocol, this module answers it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "hq-db.h"
#include "till-wire.h"

G_BEGIN_DECLS

#define HQ_STORE_ERROR (hq_store_error_quark ())

typedef enum
{
  HQ_STORE_ERROR_FAILED,
  HQ_STORE_ERROR_NOT_FOUND, /* no such store, group, till or channel */
  HQ_STORE_ERROR_TOKEN,     /* enrollment token unknown, used or expired */
  HQ_STORE_ERROR_FORBIDDEN, /* the till is revoked or not who it says */
  HQ_STORE_ERROR_GONE,      /* a pull cursor older than the kept tombstones */
  HQ_STORE_ERROR_INVALID,   /* bad input: an import row, a name, a scope */
} HqStoreError;

GQuark hq_store_error_quark (void);

#define HQ_TYPE_STORE (hq_store_get_type ())
G_DECLARE_FINAL_TYPE (HqStore, hq_store, HQ, STORE, GObject)

/* Opens the database (see hq_db_open) and brings its schema up to date. */
HqStore *hq_store_open (const char *location, GError **error) G_GNUC_WARN_UNUSED_RESULT;
HqDb    *hq_store_get_db (HqStore *self);

/* --- Stores and groups ------------------------------------------------------ */
/* Creates or renames; @group_id may be NULL (no group). Putting a store also
 * keeps, in the same transaction, its tills' "settings" row "store.group"
 * (scope "store:<id>", value the group id, "" for none), with a new version
 * whenever the group changes: that is how a till knows its group. Renaming
 * a group moves no store, so it changes no such row. */
gboolean hq_store_put_group (HqStore *self, const char *group_id, const char *name, GError **error);
gboolean hq_store_put_store (
    HqStore *self, const char *store_id, const char *name, const char *group_id, GError **error);

/* --- Enrollment --------------------------------------------------------------
 * A one-time secret for till @till_no of @store_id, valid for @valid_us. Only
 * its SHA-256 is kept. Returns the secret (32 hex digits). */
char *hq_store_create_enroll_token (HqStore    *self,
                                    const char *store_id,
                                    guint       till_no,
                                    gint64      valid_us,
                                    GError    **error) G_GNUC_WARN_UNUSED_RESULT;

typedef struct
{
  char   *till_id; /* "<store_id>-<till_no, two digits>", e.g. "S001-01" */
  char   *store_id;
  guint32 epoch; /* 1 at the first enrollment, +1 at each one after */
} HqEnrollment;

void hq_enrollment_free (HqEnrollment *enrollment);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HqEnrollment, hq_enrollment_free)

/* Uses the token (once: a second use fails with HQ_STORE_ERROR_TOKEN, as does
 * an expired one), registers the till's journal key and the fingerprint of
 * the certificate HQ issued it (SHA-256 of the DER, hex), and starts a new
 * epoch. The certificate of an earlier enrollment of the same till stops
 * being accepted. */
HqEnrollment *hq_store_enroll (HqStore    *self,
                               const char *token_secret,
                               const char *journal_key_b64,
                               GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* Called once the certificate is made (it names the till, so it is made
 * after hq_store_enroll). */
gboolean hq_store_set_till_certificate (HqStore    *self,
                                        const char *till_id,
                                        const char *cert_fingerprint,
                                        GError    **error);

/* The till a client certificate belongs to: its id and current epoch and
 * journal key, or HQ_STORE_ERROR_FORBIDDEN when the fingerprint is not the
 * till's current certificate. */
typedef struct
{
  char   *till_id;
  char   *store_id;
  char   *group_id; /* NULL when the store has no group */
  guint32 epoch;
  char   *journal_key; /* base64 raw Ed25519 */
} HqTill;

void hq_till_free (HqTill *till);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HqTill, hq_till_free)

HqTill *hq_store_find_till_by_certificate (HqStore    *self,
                                           const char *cert_fingerprint,
                                           GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* --- Push --------------------------------------------------------------------
 * Applies a batch (already checked: the signature verified, batch->till_id
 * and epoch those of @till) in ONE transaction: each item once (keyed by kind
 * and ref_uuid, and by till, epoch and seq); the same key with another
 * payload is a conflict and an incident, never an overwrite; an item HQ
 * cannot load (bad hash, unknown kind, payload not the JSON of its kind) is
 * rejected and an incident; new sales and returns update the roll-ups;
 * the epoch's contiguous high-water mark advances over ok and duplicate
 * items. A batch for an epoch that is not the till's current one is refused
 * (HQ_STORE_ERROR_FORBIDDEN). @received_us is HQ's clock. The reply's
 * countersig is left NULL for the caller (hq-server) to sign. */
TillWireAck *hq_store_apply_batch (HqStore             *self,
                                   const HqTill        *till,
                                   const TillWireBatch *batch,
                                   gint64               received_us,
                                   GError             **error) G_GNUC_WARN_UNUSED_RESULT;

/* --- Pull --------------------------------------------------------------------
 * One page of @channel for @till after @since (see till-wire.h). */
TillWirePage *hq_store_get_changes (HqStore      *self,
                                    const HqTill *till,
                                    const char   *channel,
                                    gint64        since,
                                    guint         limit,
                                    GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* Drops tombstones deleted before @before_us; a till whose cursor is older
 * then gets HQ_STORE_ERROR_GONE and reloads. Returns how many went. */
gint64 hq_store_purge_tombstones (HqStore *self, gint64 before_us, GError **error);

/* --- Master data ---------------------------------------------------------------
 * Puts one row of @channel (a new version; tills pull it). @scope is "all",
 * "group:<id>" or "store:<id>". @data is the channel's object (till-wire.h);
 * for users it may carry "pin" in clear instead of pin_salt/pin_hash, which
 * is replaced by a verifier before it is stored. The setting "store.group"
 * is HQ's own (see hq_store_put_store): putting, deleting or importing it
 * fails with HQ_STORE_ERROR_INVALID. */
gboolean hq_store_put_row (HqStore    *self,
                           const char *channel,
                           const char *id,
                           const char *scope,
                           JsonObject *data,
                           GError    **error);
gboolean hq_store_delete_row (
    HqStore *self, const char *channel, const char *id, const char *scope, GError **error);

/* Imports master data from a JSON file in ONE transaction (all or nothing):
 *   {"groups":[{"id","name"}],"stores":[{"id","name","group"}],
 *    "categories":[…],"items":[…],"prices":[{…,"scope":"store:S001"}],
 *    "users":[…],"settings":[{"key","value","scope"}],"promotions":[…],
 *    "members":[…]}
 * rows as in till-wire.h, "scope" defaulting to "all". An error names the
 * section and the row. *out_rows is how many rows were put. */
gboolean hq_store_import_file (HqStore *self, const char *path, guint *out_rows, GError **error);

/* The live rows of @channel (of @scope, NULL: every scope): (id, scope,
 * version, data as JSON text), by id then scope. */
HqDbRows *hq_store_list_rows (HqStore *self, const char *channel, const char *scope, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* --- Promotions ------------------------------------------------------------------
 * Promotions travel in the till's JSON (till_promotion_parse_json in
 * src/core/till-promotion.h). HQ cannot run the till's checks, so it checks
 * what it can without them: a JSON object; "code", "name" and "kind"
 * present; code and name non-empty texts; kind one of the till's 12 and
 * stacking one of its 3; no member the till does not read (a misspelt one
 * would be ignored there); numbers whole and ≥ 0 (priority of either sign,
 * percent_bp at most 10000); texts, lists, tiers, bundle, weekdays 1–7 and
 * windows "HH:MM" shaped as the till reads them; valid_until_us after
 * valid_from_us when both are set; a stacking_group for "exclusive-group".
 * The first problem is HQ_STORE_ERROR_INVALID. Import and
 * hq_store_set_promotions check every promotion with it; the till still
 * validates each one (and skips one it refuses). */
gboolean hq_store_check_promotion (JsonObject *promotion, GError **error);
/* Upserts promotions by code in the "promotions" channel, in ONE
 * transaction: @promotions is one object or an array of them; @scope (NULL:
 * each promotion's own "scope", else "all") is checked as for any row, and
 * a promotion whose "scope" says otherwise is refused. Any error names the
 * promotion (promotions[i] in a list, and its code) and nothing is saved.
 * *out_n_set is how many were given. */
gboolean hq_store_set_promotions (
    HqStore *self, JsonNode *promotions, const char *scope, guint *out_n_set, GError **error);
/* Tombstones promotion @code in @scope, or (NULL) in every scope it is set
 * in, in one transaction. Returns the scopes it left, or NULL with
 * HQ_STORE_ERROR_NOT_FOUND when it is set in none. */
GStrv hq_store_remove_promotion (HqStore *self, const char *code, const char *scope, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* --- Reports -------------------------------------------------------------------
 * Sales per store and business day from the roll-ups: rows of
 * (store_id, business_day, receipts, returns, net total in fen), filtered by
 * store (NULL = all) and day range (inclusive, NULL = open). */
HqDbRows *hq_store_report_days (HqStore    *self,
                                const char *store_id,
                                const char *from_day,
                                const char *to_day,
                                GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* Per store, day and product: (store_id, business_day, sku, name, quantity in
 * thousandths, amount in fen), net of returns. */
HqDbRows *hq_store_report_products (HqStore    *self,
                                    const char *store_id,
                                    const char *from_day,
                                    const char *to_day,
                                    GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* --- Shifts and Z reports ---------------------------------------------------------
 * A till's "shift" and "cash-movement" documents are kept as they came. Each
 * "z-report" is also a row of its till's Z reports, judged against the
 * till's previous Z when it arrives: "ok" when HQ holds Z z_no − 1 (none is
 * needed before Z 1, whose grand total starts at 0) and grand_total = its
 * grand_total + sales_total − returns_total; "gap" when HQ holds no Z
 * z_no − 1 (judged again when that one arrives); "mismatch" when the grand
 * total does not carry on; "duplicate" when HQ holds another document under
 * the same till and z_no. A Z that is not ok is kept all the same, logged
 * (g_warning naming the till and the numbers) and an incident
 * ("z-continuity"). A re-push of the same document is a duplicate item and
 * changes nothing.
 *
 * The Z reports of @till_id and @store_id (NULL: all): (till_id, store_id,
 * z_no, business_day, closed_us, sales_total, returns_total, grand_total,
 * continuity, detail, uuid), by store, till, z_no and arrival. closed_us is
 * 0 and business_day NULL when the till did not say. */
HqDbRows *hq_store_list_z_reports (HqStore    *self,
                                   const char *till_id,
                                   const char *store_id,
                                   GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* Incidents (conflicts, rejected items, clock skew, head regressions):
 * (id, created_us, till_id, kind, detail), newest first. */
HqDbRows *
hq_store_list_incidents (HqStore *self, guint limit, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Tills: (till_id, store_id, epoch, acked_through, last_seen_us, clock_skew_us). */
HqDbRows *hq_store_list_tills (HqStore *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* How many documents of @kind HQ holds for @till_id (NULL = all tills). */
gint64
hq_store_count_documents (HqStore *self, const char *kind, const char *till_id, GError **error);

G_END_DECLS
