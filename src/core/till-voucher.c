/* till-voucher.c: single-use vouchers (代金券) and their tender
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-voucher"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-local-tenders.h"
#include "till-money.h"
#include "till-store.h"

/* Like stored value, vouchers are settled against this till's own table
 * until HQ sync carries them (issue 7): a code is redeemed once here, checked
 * again inside the sale's transaction. */

#define TILL_TYPE_VOUCHER_TENDER (till_voucher_tender_get_type ())
G_DECLARE_FINAL_TYPE (TillVoucherTender, till_voucher_tender, TILL, VOUCHER_TENDER, GObject)

struct _TillVoucherTender
{
  GObject    parent_instance;
  TillStore *store;
};

static void tender_iface_init (TillTenderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TillVoucherTender,
                               till_voucher_tender,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TILL_TYPE_TENDER, tender_iface_init))

typedef struct
{
  char  *code;
  gint64 face_value;
  gint64 min_spend;
  char  *valid_from;  /* nullable, "2026-11-01" */
  char  *valid_until; /* nullable, inclusive */
  char  *state;       /* "issued", "redeemed", "void" */
} Voucher;

static void
voucher_free (Voucher *voucher)
{
  g_free (voucher->code);
  g_free (voucher->valid_from);
  g_free (voucher->valid_until);
  g_free (voucher->state);
  g_free (voucher);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Voucher, voucher_free)

static Voucher *
read_voucher (TillStore *store, const char *code, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  Voucher *voucher;
  int      rc;

  stmt = till_store_prepare (store,
                             "SELECT code, face_value, min_spend, valid_from, valid_until, state "
                             "FROM voucher WHERE code = ?",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID, _ ("Unknown voucher %s"),
                   code);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the voucher"));
      return NULL;
    }
  voucher = g_new0 (Voucher, 1);
  voucher->code = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  voucher->face_value = sqlite3_column_int64 (stmt, 1);
  voucher->min_spend = sqlite3_column_int64 (stmt, 2);
  voucher->valid_from = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  voucher->valid_until = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  voucher->state = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  return voucher;
}

/* Whether @voucher can pay a sale of @sale_amount fen (goods after
 * discounts, before 抹零) today. Business days compare as ISO dates. */
static gboolean
check_usable (TillStore *store, const Voucher *voucher, gint64 sale_amount, GError **error)
{
  g_autofree char *today = till_store_business_day (store, g_get_real_time ());

  if (g_strcmp0 (voucher->state, "redeemed") == 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Voucher %s was already used"), voucher->code);
      return FALSE;
    }
  if (g_strcmp0 (voucher->state, "issued") != 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID, _ ("Voucher %s is void"),
                   voucher->code);
      return FALSE;
    }
  if (voucher->valid_until != NULL && strcmp (today, voucher->valid_until) > 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_DECLINED,
                   _ ("Voucher %s expired on %s"), voucher->code, voucher->valid_until);
      return FALSE;
    }
  if (voucher->valid_from != NULL && strcmp (today, voucher->valid_from) < 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_DECLINED,
                   _ ("Voucher %s is valid from %s"), voucher->code, voucher->valid_from);
      return FALSE;
    }
  if (sale_amount < voucher->min_spend)
    {
      g_autofree char *min_text = till_money_format_yuan (voucher->min_spend);

      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_DECLINED,
                   _ ("Voucher %s needs a sale of at least %s"), voucher->code, min_text);
      return FALSE;
    }
  return TRUE;
}

/* What the applied tenders of the open cart paid so far. */
static gboolean
read_paid (TillStore *store, const char *cart_uuid, gint64 *out_paid, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  *out_paid = 0;
  if (cart_uuid == NULL)
    return TRUE;
  stmt = till_store_prepare (store,
                             "SELECT coalesce(sum(amount), 0) FROM cart_tender "
                             "WHERE cart_uuid = ?",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, cart_uuid, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the payment of the sale"));
      return FALSE;
    }
  *out_paid = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* The minimum spend is checked against the sale's amount. The request only
 * carries what is still due, so the sale's amount is taken as that plus what
 * the cart's applied tenders (cart_tender) paid already; the sale's
 * transaction checks it again against the recorded subtotal. */
static TillSalePayment *
authorize (TillTender *tender, const TillTenderRequest *request, GError **error)
{
  TillVoucherTender *self = (TillVoucherTender *) tender;
  g_autoptr (Voucher) voucher = NULL;
  g_autofree char *code = g_strstrip (g_strdup (request->input != NULL ? request->input : ""));
  TillSalePayment *payment;
  gint64           paid;

  if (*code == '\0')
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Scan or key the voucher's code"));
      return NULL;
    }
  if (request->due <= 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
                   _ ("Nothing is left to pay"));
      return NULL;
    }
  voucher = read_voucher (self->store, code, error);
  if (voucher == NULL)
    return NULL;
  if (!read_paid (self->store, request->cart_uuid, &paid, error))
    return NULL;
  if (!check_usable (self->store, voucher, request->due + paid, error))
    return NULL;

  payment = till_sale_payment_new ("voucher", TILL_TENDER_KIND_VOUCHER,
                                   MIN (voucher->face_value, request->due));
  payment->tendered = voucher->face_value;
  payment->reference = g_strdup (voucher->code);
  return payment;
}

static const char *
get_id (TillTender *tender)
{
  return "voucher";
}

static char *
dup_label (TillTender *tender)
{
  return g_strdup (_ ("Voucher"));
}

static TillTenderKind
get_kind (TillTender *tender)
{
  return TILL_TENDER_KIND_VOUCHER;
}

static void
tender_iface_init (TillTenderInterface *iface)
{
  iface->get_id = get_id;
  iface->dup_label = dup_label;
  iface->get_kind = get_kind;
  iface->authorize = authorize;
  /* No release: the voucher is redeemed only in the sale's transaction. */
}

static void
till_voucher_tender_dispose (GObject *object)
{
  TillVoucherTender *self = (TillVoucherTender *) object;

  g_clear_object (&self->store);

  G_OBJECT_CLASS (till_voucher_tender_parent_class)->dispose (object);
}

static void
till_voucher_tender_class_init (TillVoucherTenderClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = till_voucher_tender_dispose;
}

static void
till_voucher_tender_init (TillVoucherTender *self)
{
}

/**
 * till_voucher_issue:
 * @code: the voucher's code, unique
 * @face_value: fen it pays, > 0
 * @min_spend: fen the sale must reach, ≥ 0
 * @valid_from: (nullable): first business day, "2026-11-01"
 * @valid_until: (nullable): last business day
 *
 * Returns: %TRUE when issued; %FALSE with @error set
 *   (TILL_TENDER_ERROR_INVALID when the code exists)
 */
gboolean
till_voucher_issue (TillStore  *store,
                    const char *code,
                    gint64      face_value,
                    gint64      min_spend,
                    const char *valid_from,
                    const char *valid_until,
                    GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (Voucher) existing = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (code != NULL && *code != '\0', FALSE);
  g_return_val_if_fail (face_value > 0 && min_spend >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  existing = read_voucher (store, code, &local_error);
  if (existing != NULL)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Voucher %s exists already"), code);
      return FALSE;
    }
  if (!g_error_matches (local_error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  stmt = till_store_prepare (store,
                             "INSERT INTO voucher (code, face_value, min_spend, valid_from, "
                             "valid_until, state) VALUES (?, ?, ?, ?, ?, 'issued')",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, face_value);
  sqlite3_bind_int64 (stmt, 3, min_spend);
  sqlite3_bind_text (stmt, 4, valid_from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, valid_until, -1, SQLITE_STATIC);
  return till_store_step_done (store, stmt, error);
}

/**
 * till_voucher_tender_new:
 *
 * Returns: (transfer full): the "voucher" tender on @store's vouchers
 */
TillTender *
till_voucher_tender_new (TillStore *store)
{
  TillVoucherTender *self;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);

  self = g_object_new (TILL_TYPE_VOUCHER_TENDER, NULL);
  self->store = g_object_ref (store);
  return TILL_TENDER (self);
}

/**
 * _till_voucher_redeem:
 * @sale_total: the sale's amount the minimum spend is checked against (its
 *   subtotal: goods after discounts, before 抹零)
 * @sale_uuid: the sale it pays
 *
 * Inside the sale's transaction: checks the voucher is still issued, valid
 * today and reached, and marks it redeemed by @sale_uuid.
 *
 * Returns: %TRUE when redeemed; %FALSE with @error set
 *   (TILL_TENDER_ERROR_INVALID "Voucher … was already used", _DECLINED)
 */
gboolean
_till_voucher_redeem (
    TillStore *store, const char *code, gint64 sale_total, const char *sale_uuid, GError **error)
{
  g_autoptr (Voucher) voucher = NULL;
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (sale_uuid != NULL, FALSE);
  g_return_val_if_fail (till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (code == NULL)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("The voucher tender names no code"));
      return FALSE;
    }
  voucher = read_voucher (store, code, error);
  if (voucher == NULL || !check_usable (store, voucher, sale_total, error))
    return FALSE;

  stmt = till_store_prepare (store,
                             "UPDATE voucher SET state = 'redeemed', sale_uuid = ?, "
                             "redeemed_us = ? WHERE code = ? AND state = 'issued'",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sale_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  sqlite3_bind_text (stmt, 3, code, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    return FALSE;
  if (sqlite3_changes (till_store_get_db (store)) != 1)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Voucher %s was already used"), code);
      return FALSE;
    }
  return TRUE;
}
