/* till-stored-value.c: stored-value cards (储值卡), their ledger and tender
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-stored-value"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-local-tenders.h"
#include "till-money.h"
#include "till-store.h"
#include "till-uuid.h"

/* Offline rule (issue 6): until HQ sync carries stored value (issue 7), the
 * till's own ledger is the authority. A card's balance is the sum of its
 * ledger entries on this till, checked again inside the sale's transaction,
 * so one till can never spend a balance twice; entries are recorded with
 * offline = 0 and reach HQ through the sale's outbox row. */

#define TILL_TYPE_STORED_VALUE_TENDER (till_stored_value_tender_get_type ())
G_DECLARE_FINAL_TYPE (
    TillStoredValueTender, till_stored_value_tender, TILL, STORED_VALUE_TENDER, GObject)

struct _TillStoredValueTender
{
  GObject    parent_instance;
  TillStore *store;
};

static void tender_iface_init (TillTenderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TillStoredValueTender,
                               till_stored_value_tender,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TILL_TYPE_TENDER, tender_iface_init))

/* Reads the card @card_no, active or not; NULL with @error unset when there
 * is none. */
static TillStoredValueAccount *
read_account (TillStore *store, const char *card_no, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  TillStoredValueAccount *account;
  int                     rc;

  stmt = till_store_prepare (store,
                             "SELECT a.id, a.card_no, a.holder, a.active, "
                             "(SELECT coalesce(sum(l.amount), 0) FROM sv_ledger l "
                             "WHERE l.account_id = a.id) FROM sv_account a WHERE a.card_no = ?",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, card_no, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the stored-value card"));
      return NULL;
    }
  account = g_new0 (TillStoredValueAccount, 1);
  account->id = sqlite3_column_int64 (stmt, 0);
  account->card_no = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  account->holder = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  account->active = sqlite3_column_int (stmt, 3) != 0;
  account->balance = sqlite3_column_int64 (stmt, 4);
  return account;
}

static gboolean
insert_entry (TillStore  *store,
              gint64      account_id,
              const char *kind,
              gint64      amount,
              const char *sale_uuid,
              const char *return_uuid,
              GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *op_uuid = till_uuid_v7_new ();

  stmt = till_store_prepare (store,
                             "INSERT INTO sv_ledger (op_uuid, account_id, kind, amount, sale_uuid, "
                             "return_uuid, offline, created_us) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, op_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, account_id);
  sqlite3_bind_text (stmt, 3, kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, amount);
  sqlite3_bind_text (stmt, 5, sale_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, return_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, g_get_real_time ());
  return till_store_step_done (store, stmt, error);
}

static gboolean
balance_too_low (GError **error, gint64 balance)
{
  g_autofree char *balance_text = till_money_format_yuan (balance);

  g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
               _ ("The card's balance is %s"), balance_text);
  return FALSE;
}

static TillSalePayment *
authorize (TillTender *tender, const TillTenderRequest *request, GError **error)
{
  TillStoredValueTender *self = (TillStoredValueTender *) tender;
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autofree char *card_no = g_strstrip (g_strdup (request->input != NULL ? request->input : ""));
  TillSalePayment *payment;
  gint64           amount;

  if (*card_no == '\0')
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Swipe or key the stored-value card"));
      return NULL;
    }
  account = till_stored_value_find (self->store, card_no, error);
  if (account == NULL)
    return NULL;
  amount = MIN (request->amount, request->due);
  if (amount <= 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   request->due <= 0 ? _ ("Nothing is left to pay")
                                     : _ ("Enter the amount paid from the card"));
      return NULL;
    }
  if (amount > account->balance)
    {
      balance_too_low (error, account->balance);
      return NULL;
    }
  payment = till_sale_payment_new ("stored-value", TILL_TENDER_KIND_STORED_VALUE, amount);
  payment->reference = g_strdup (account->card_no);
  payment->account = till_stored_value_mask_card (account->card_no);
  return payment;
}

static const char *
get_id (TillTender *tender)
{
  return "stored-value";
}

static char *
dup_label (TillTender *tender)
{
  return g_strdup (_ ("Stored value"));
}

static TillTenderKind
get_kind (TillTender *tender)
{
  return TILL_TENDER_KIND_STORED_VALUE;
}

static void
tender_iface_init (TillTenderInterface *iface)
{
  iface->get_id = get_id;
  iface->dup_label = dup_label;
  iface->get_kind = get_kind;
  iface->authorize = authorize;
  /* No release: nothing is debited before the sale's own transaction. */
}

static void
till_stored_value_tender_dispose (GObject *object)
{
  TillStoredValueTender *self = (TillStoredValueTender *) object;

  g_clear_object (&self->store);

  G_OBJECT_CLASS (till_stored_value_tender_parent_class)->dispose (object);
}

static void
till_stored_value_tender_class_init (TillStoredValueTenderClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = till_stored_value_tender_dispose;
}

static void
till_stored_value_tender_init (TillStoredValueTender *self)
{
}

void
till_stored_value_account_free (TillStoredValueAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->card_no);
  g_free (account->holder);
  g_free (account);
}

/**
 * till_stored_value_find:
 * @card_no: the card number as swiped or keyed
 *
 * Returns: (transfer full): the active card with its balance, or %NULL with
 *   @error set (TILL_TENDER_ERROR_INVALID for an unknown or blocked card)
 */
TillStoredValueAccount *
till_stored_value_find (TillStore *store, const char *card_no, GError **error)
{
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (card_no != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  account = read_account (store, card_no, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (account == NULL)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("No stored-value card %s"), card_no);
      return NULL;
    }
  if (!account->active)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("The stored-value card %s is blocked"), card_no);
      return NULL;
    }
  return g_steal_pointer (&account);
}

/**
 * till_stored_value_mask_card:
 *
 * Returns: (transfer full): the card number for the screen and receipt: the
 *   first and last four digits ("8800****0012"); a short number shows only
 *   its last four
 */
char *
till_stored_value_mask_card (const char *card_no)
{
  size_t length;

  g_return_val_if_fail (card_no != NULL, NULL);

  length = strlen (card_no);
  if (length > 8)
    return g_strdup_printf ("%.4s****%s", card_no, card_no + length - 4);
  if (length > 4)
    return g_strconcat ("****", card_no + length - 4, NULL);
  return g_strdup ("****");
}

/**
 * till_stored_value_open:
 * @top_up: fen paid in, > 0
 * @bonus: fen given on top (充100送10), ≥ 0
 *
 * Opens a card with its first top-up and bonus, one ledger entry each, in one
 * transaction (or the caller's).
 *
 * Returns: %TRUE when opened; %FALSE with @error set (TILL_TENDER_ERROR_INVALID
 *   when the number is taken)
 */
gboolean
till_stored_value_open (TillStore  *store,
                        const char *card_no,
                        const char *holder,
                        gint64      top_up,
                        gint64      bonus,
                        GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (TillStoredValueAccount) existing = NULL;
  g_autoptr (GError) local_error = NULL;
  gboolean own_transaction;
  gint64   account_id;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (card_no != NULL && *card_no != '\0', FALSE);
  g_return_val_if_fail (holder != NULL, FALSE);
  g_return_val_if_fail (top_up > 0 && bonus >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  own_transaction = !till_store_in_transaction (store);
  if (own_transaction && !till_store_begin (store, error))
    return FALSE;
  existing = read_account (store, card_no, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      goto failed;
    }
  if (existing != NULL)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("The stored-value card %s exists already"), card_no);
      goto failed;
    }

  stmt = till_store_prepare (store,
                             "INSERT INTO sv_account (card_no, holder, active, created_us) "
                             "VALUES (?, ?, 1, ?)",
                             error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, card_no, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, holder, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  if (!till_store_step_done (store, stmt, error))
    goto failed;
  account_id = sqlite3_last_insert_rowid (till_store_get_db (store));
  if (!insert_entry (store, account_id, "top-up", top_up, NULL, NULL, error))
    goto failed;
  if (bonus > 0 && !insert_entry (store, account_id, "bonus", bonus, NULL, NULL, error))
    goto failed;
  if (own_transaction && !till_store_commit (store, error))
    goto failed;
  return TRUE;

failed:
  if (own_transaction)
    till_store_rollback (store);
  return FALSE;
}

/**
 * till_stored_value_tender_new:
 *
 * Returns: (transfer full): the "stored-value" tender on @store's ledger
 */
TillTender *
till_stored_value_tender_new (TillStore *store)
{
  TillStoredValueTender *self;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);

  self = g_object_new (TILL_TYPE_STORED_VALUE_TENDER, NULL);
  self->store = g_object_ref (store);
  return TILL_TENDER (self);
}

/**
 * _till_stored_value_debit:
 * @amount: fen paid from the card, > 0
 * @sale_uuid: the sale it pays
 *
 * Inside the sale's transaction: checks the balance again (another sale may
 * have spent it since the tender was authorized) and writes the debit.
 *
 * Returns: %TRUE when debited; %FALSE with @error set
 *   (TILL_TENDER_ERROR_OVER_LIMIT when the balance no longer covers @amount)
 */
gboolean
_till_stored_value_debit (
    TillStore *store, const char *card_no, gint64 amount, const char *sale_uuid, GError **error)
{
  g_autoptr (TillStoredValueAccount) account = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (card_no == NULL || amount <= 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("The stored-value tender names no card or amount"));
      return FALSE;
    }
  account = till_stored_value_find (store, card_no, error);
  if (account == NULL)
    return FALSE;
  if (account->balance < amount)
    return balance_too_low (error, account->balance);
  return insert_entry (store, account->id, "debit", -amount, sale_uuid, NULL, error);
}

/**
 * _till_stored_value_credit:
 * @amount: fen refunded to the card, > 0
 * @return_uuid: the return it refunds
 *
 * Inside the return's transaction: puts @amount back on the card, blocked or
 * not (the money is the holder's either way).
 *
 * Returns: %TRUE when credited; %FALSE with @error set
 */
gboolean
_till_stored_value_credit (
    TillStore *store, const char *card_no, gint64 amount, const char *return_uuid, GError **error)
{
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (card_no == NULL || amount <= 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("The stored-value refund names no card or amount"));
      return FALSE;
    }
  account = read_account (store, card_no, &local_error);
  if (account == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                     _ ("No stored-value card %s"), card_no);
      return FALSE;
    }
  return insert_entry (store, account->id, "credit", amount, NULL, return_uuid, error);
}
