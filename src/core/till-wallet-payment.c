/* till-wallet-payment.c: QR wallet (付款码) attempts and refunds as durable
 * records: written before a request leaves, resolved by query or reversal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-wallet-payment"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-money.h"
#include "till-store.h"
#include "till-tender.h"
#include "till-wallet-payment.h"

/* The till id when the store has none configured, as till-sale.c uses. */
#define DEFAULT_TILL_ID "T01"
/* out_trade_no: till id (≤ 10) + yyyymmddHHMMSS (14) + counter (≤ 8) ≤ 32. */
#define MAX_TILL_ID_CHARS 10
#define COUNTER_MODULUS 100000000
/* The counter rows (table counter) this module uses. The deferred sum is
 * kept per business day as a counter because a deferred attempt that was
 * later charged no longer looks deferred, but still counted against the
 * day's cap when it was accepted. */
#define ATTEMPT_COUNTER "wallet-attempt"
#define REFUND_COUNTER "wallet-refund"
#define DEFERRED_SUM_COUNTER "wallet-deferred-fen/"

/* Indexed by TillWalletProvider; the names are what wallet_payment.provider
 * holds and the tender ids. */
static const char *const provider_names[] = { NULL, "wechat", "alipay", "unionpay" };

G_STATIC_ASSERT (G_N_ELEMENTS (provider_names) == TILL_WALLET_UNIONPAY + 1);

/* Indexed by TillWalletState; what wallet_payment.state holds. */
static const char *const state_names[] = {
  "pending", "paid", "failed", "reversing", "reversed", "stuck", "deferred",
};

G_STATIC_ASSERT (G_N_ELEMENTS (state_names) == TILL_WALLET_STATE_DEFERRED + 1);

/* Indexed by TillWalletRefundState; what wallet_refund.state holds. */
static const char *const refund_state_names[] = { "pending", "done", "failed" };

G_STATIC_ASSERT (G_N_ELEMENTS (refund_state_names) == TILL_WALLET_REFUND_FAILED + 1);

G_DEFINE_BOXED_TYPE (TillWalletAttempt,
                     till_wallet_attempt,
                     till_wallet_attempt_copy,
                     till_wallet_attempt_free)
G_DEFINE_BOXED_TYPE (TillWalletRefund,
                     till_wallet_refund,
                     till_wallet_refund_copy,
                     till_wallet_refund_free)

#define ATTEMPT_COLUMNS                                                                  \
  "out_trade_no, provider, cart_uuid, amount, auth_code, state, transaction_id, buyer, " \
  "error_code, message, sale_uuid, created_us, updated_us"

#define REFUND_COLUMNS                                                                    \
  "out_refund_no, out_trade_no, provider, return_uuid, amount, total, state, refund_id, " \
  "message, created_us, updated_us"

static char *
column_dup (TillStmt *stmt, int column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static void
bind_nullable_text (TillStmt *stmt, int index, const char *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

static gboolean
refund_state_from_string (const char *text, TillWalletRefundState *out_state)
{
  for (guint i = 0; i < G_N_ELEMENTS (refund_state_names); i++)
    if (g_strcmp0 (text, refund_state_names[i]) == 0)
      {
        *out_state = (TillWalletRefundState) i;
        return TRUE;
      }
  return FALSE;
}

/* The store's till id, reduced to what an out_trade_no may hold. */
static char *
dup_till_id_for_trade_no (TillStore *store)
{
  g_autofree char *till_id = till_store_get_setting (store, "till.id");
  GString         *clean = g_string_new (NULL);

  if (till_id == NULL || *till_id == '\0')
    {
      g_free (till_id);
      till_id = g_strdup (DEFAULT_TILL_ID);
    }
  for (const char *p = till_id; *p != '\0' && clean->len < MAX_TILL_ID_CHARS; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (clean, *p);
  if (clean->len == 0)
    g_string_append (clean, DEFAULT_TILL_ID);
  return g_string_free (clean, FALSE);
}

/* A new unique number for a request: till id, local time, a durable counter.
 * Run inside the transaction that stores it. */
static char *
make_request_no (TillStore *store, const char *prefix, const char *counter, GError **error)
{
  g_autofree char *till_id = dup_till_id_for_trade_no (store);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d%H%M%S");
  gint64           number = till_store_next_counter (store, counter, error);

  if (number <= 0)
    return NULL;
  return g_strdup_printf ("%s%s%s%06" G_GINT64_FORMAT, prefix, till_id, stamp,
                          number % COUNTER_MODULUS);
}

static TillWalletAttempt *
attempt_from_row (TillStmt *stmt)
{
  TillWalletAttempt *attempt = g_new0 (TillWalletAttempt, 1);

  attempt->out_trade_no = column_dup (stmt, 0);
  if (!till_wallet_provider_from_string ((const char *) sqlite3_column_text (stmt, 1),
                                         &attempt->provider))
    attempt->provider = TILL_WALLET_NONE;
  attempt->cart_uuid = column_dup (stmt, 2);
  attempt->amount = sqlite3_column_int64 (stmt, 3);
  attempt->auth_code = column_dup (stmt, 4);
  if (!till_wallet_state_from_string ((const char *) sqlite3_column_text (stmt, 5),
                                      &attempt->state))
    attempt->state = TILL_WALLET_STATE_PENDING;
  attempt->transaction_id = column_dup (stmt, 6);
  attempt->buyer = column_dup (stmt, 7);
  attempt->error_code = column_dup (stmt, 8);
  attempt->message = column_dup (stmt, 9);
  attempt->sale_uuid = column_dup (stmt, 10);
  attempt->created_us = sqlite3_column_int64 (stmt, 11);
  attempt->updated_us = sqlite3_column_int64 (stmt, 12);
  return attempt;
}

static TillWalletRefund *
refund_from_row (TillStmt *stmt)
{
  TillWalletRefund *refund = g_new0 (TillWalletRefund, 1);

  refund->out_refund_no = column_dup (stmt, 0);
  refund->out_trade_no = column_dup (stmt, 1);
  if (!till_wallet_provider_from_string ((const char *) sqlite3_column_text (stmt, 2),
                                         &refund->provider))
    refund->provider = TILL_WALLET_NONE;
  refund->return_uuid = column_dup (stmt, 3);
  refund->amount = sqlite3_column_int64 (stmt, 4);
  refund->total = sqlite3_column_int64 (stmt, 5);
  if (!refund_state_from_string ((const char *) sqlite3_column_text (stmt, 6), &refund->state))
    refund->state = TILL_WALLET_REFUND_PENDING;
  refund->refund_id = column_dup (stmt, 7);
  refund->message = column_dup (stmt, 8);
  refund->created_us = sqlite3_column_int64 (stmt, 9);
  refund->updated_us = sqlite3_column_int64 (stmt, 10);
  return refund;
}

/* Loads an attempt, or NULL: with @error set when it is missing or the
 * database failed. */
static TillWalletAttempt *
load_attempt (TillStore *store, const char *out_trade_no, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (
      store, "SELECT " ATTEMPT_COLUMNS " FROM wallet_payment WHERE out_trade_no = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, out_trade_no, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return attempt_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                 _ ("There is no wallet payment %s"), out_trade_no);
  else
    till_store_set_error (store, error, _ ("Cannot read the wallet payment"));
  return NULL;
}

static GPtrArray *
list_rows (TillStore  *store,
           const char *sql,
           const char *text,
           gpointer (*from_row) (TillStmt *stmt),
           GDestroyNotify free_func,
           GError       **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  stmt = till_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the wallet payments"));
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/* Reads an integer setting in fen; unset, empty or unreadable is 0. */
static gint64
get_fen_setting (TillStore *store, const char *key)
{
  g_autofree char *text = till_store_get_setting (store, key);
  gint64           value = 0;

  if (text == NULL || *text == '\0')
    return 0;
  if (!g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &value, NULL))
    {
      g_warning ("The setting %s is not an amount in fen: “%s”", key, text);
      return 0;
    }
  return value;
}

static char *
deferred_counter_name (TillStore *store, gint64 when_us)
{
  g_autofree char *day = till_store_business_day (store, when_us);

  return g_strconcat (DEFERRED_SUM_COUNTER, day, NULL);
}

/* Fen accepted to confirm later on the business day of @when_us. */
static gboolean
get_deferred_sum (TillStore *store, gint64 when_us, gint64 *out_sum, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *name = deferred_counter_name (store, when_us);
  int              rc;

  stmt = till_store_prepare (store, "SELECT value FROM counter WHERE name = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the payments to confirm later"));
      return FALSE;
    }
  *out_sum = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

static gboolean
add_deferred_sum (TillStore *store, gint64 when_us, gint64 amount, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *name = deferred_counter_name (store, when_us);

  stmt = till_store_prepare (store,
                             "INSERT INTO counter (name, value) VALUES (?, ?) "
                             "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, amount);
  return till_store_step_done (store, stmt, error);
}

/* The open cart is the one row of the journaled cart table; a sale that was
 * recorded or voided replaced or removed it. */
static gboolean
cart_is_open (TillStore *store, const char *cart_uuid, gboolean *out_open, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (store, "SELECT 1 FROM cart WHERE sale_uuid = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, cart_uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the open cart"));
      return FALSE;
    }
  *out_open = rc == SQLITE_ROW;
  return TRUE;
}

static gboolean
cart_tender_exists (TillStore  *store,
                    const char *out_trade_no,
                    gboolean   *out_exists,
                    GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (store, "SELECT 1 FROM cart_tender WHERE attempt = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, out_trade_no, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the cart's tenders"));
      return FALSE;
    }
  *out_exists = rc == SQLITE_ROW;
  return TRUE;
}

/* Applies a paid attempt to its still open cart, once: a till killed after
 * the provider confirmed but before the payment screen applied the tender
 * must come back with the tender applied. */
static gboolean
apply_to_cart (TillStore *store, const TillWalletAttempt *attempt, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gboolean open = FALSE;
  gboolean applied = FALSE;

  if (attempt->sale_uuid != NULL)
    return TRUE;
  if (!cart_tender_exists (store, attempt->out_trade_no, &applied, error) ||
      !cart_is_open (store, attempt->cart_uuid, &open, error))
    return FALSE;
  if (applied || !open)
    return TRUE;

  stmt = till_store_prepare (
      store,
      "INSERT INTO cart_tender (cart_uuid, line_no, method, kind, amount, tendered, change, "
      "reference, account, attempt, created_us) "
      "SELECT ?1, COALESCE (MAX (line_no), 0) + 1, ?2, ?3, ?4, ?4, 0, ?5, ?6, ?7, ?8 "
      "FROM cart_tender WHERE cart_uuid = ?1",
      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, attempt->cart_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, till_wallet_provider_to_string (attempt->provider), -1,
                     SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, till_tender_kind_to_string (TILL_TENDER_KIND_WALLET), -1,
                     SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, attempt->amount);
  bind_nullable_text (stmt, 5, attempt->transaction_id);
  bind_nullable_text (stmt, 6, attempt->buyer);
  sqlite3_bind_text (stmt, 7, attempt->out_trade_no, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 8, g_get_real_time ());
  if (!till_store_step_done (store, stmt, error))
    return FALSE;
  g_info ("Applied wallet payment %s (%" G_GINT64_FORMAT " fen) to cart %s", attempt->out_trade_no,
          attempt->amount, attempt->cart_uuid);
  return TRUE;
}

static gboolean
update_attempt (TillStore *store, TillWalletAttempt *attempt, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (store,
                             "UPDATE wallet_payment SET auth_code = ?, state = ?, "
                             "transaction_id = ?, buyer = ?, error_code = ?, message = ?, "
                             "updated_us = ? WHERE out_trade_no = ?",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, attempt->auth_code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, till_wallet_state_to_string (attempt->state), -1, SQLITE_STATIC);
  bind_nullable_text (stmt, 3, attempt->transaction_id);
  bind_nullable_text (stmt, 4, attempt->buyer);
  bind_nullable_text (stmt, 5, attempt->error_code);
  bind_nullable_text (stmt, 6, attempt->message);
  sqlite3_bind_int64 (stmt, 7, attempt->updated_us);
  sqlite3_bind_text (stmt, 8, attempt->out_trade_no, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    return FALSE;
  if (sqlite3_changes (till_store_get_db (store)) == 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                   _ ("There is no wallet payment %s"), attempt->out_trade_no);
      return FALSE;
    }
  return TRUE;
}

/* Public API */

/**
 * till_wallet_provider_to_string:
 *
 * Returns: the provider's stored name and tender id ("wechat", "alipay",
 *   "unionpay"), or %NULL for %TILL_WALLET_NONE
 */
const char *
till_wallet_provider_to_string (TillWalletProvider provider)
{
  g_return_val_if_fail ((guint) provider < G_N_ELEMENTS (provider_names), NULL);
  return provider_names[provider];
}

gboolean
till_wallet_provider_from_string (const char *text, TillWalletProvider *out_provider)
{
  g_return_val_if_fail (out_provider != NULL, FALSE);

  for (guint i = TILL_WALLET_WECHAT; i < G_N_ELEMENTS (provider_names); i++)
    if (g_strcmp0 (text, provider_names[i]) == 0)
      {
        *out_provider = (TillWalletProvider) i;
        return TRUE;
      }
  return FALSE;
}

/**
 * till_wallet_provider_dup_label:
 *
 * Returns: (transfer full) (nullable): the wallet's name for the screen and
 *   the receipt (微信支付, 支付宝, 云闪付), %NULL for %TILL_WALLET_NONE
 */
char *
till_wallet_provider_dup_label (TillWalletProvider provider)
{
  switch (provider)
    {
    case TILL_WALLET_WECHAT:
      return g_strdup (_ ("WeChat Pay"));
    case TILL_WALLET_ALIPAY:
      return g_strdup (_ ("Alipay"));
    case TILL_WALLET_UNIONPAY:
      return g_strdup (_ ("UnionPay"));
    case TILL_WALLET_NONE:
      return NULL;
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * till_wallet_route_code:
 * @code: a scanned customer payment code (付款码)
 *
 * Routes by the published formats (PAYMENTS.md §3): WeChat 18 digits starting
 * 10–15, Alipay 16–24 digits starting 25–30, UnionPay 19 digits starting 62.
 * The ranges don't overlap; the provider still has the last word.
 *
 * Returns: the wallet, or %TILL_WALLET_NONE when @code is not a payment code
 */
TillWalletProvider
till_wallet_route_code (const char *code)
{
  g_autofree char *trimmed = NULL;
  gsize            length;
  int              prefix;

  if (code == NULL)
    return TILL_WALLET_NONE;
  trimmed = g_strstrip (g_strdup (code));
  length = strlen (trimmed);
  if (length < 2)
    return TILL_WALLET_NONE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (trimmed[i]))
      return TILL_WALLET_NONE;

  prefix = (trimmed[0] - '0') * 10 + (trimmed[1] - '0');
  if (length == 18 && prefix >= 10 && prefix <= 15)
    return TILL_WALLET_WECHAT;
  if (length >= 16 && length <= 24 && prefix >= 25 && prefix <= 30)
    return TILL_WALLET_ALIPAY;
  if (length == 19 && prefix == 62)
    return TILL_WALLET_UNIONPAY;
  return TILL_WALLET_NONE;
}

/**
 * till_wallet_mask_code:
 *
 * A code is as good as money for a minute: logs and the screen show only its
 * first and last four characters. Masking a masked code changes nothing.
 *
 * Returns: (transfer full): e.g. "1300****2345"
 */
char *
till_wallet_mask_code (const char *code)
{
  g_autofree char *trimmed = NULL;
  gsize            length;

  g_return_val_if_fail (code != NULL, NULL);

  trimmed = g_strstrip (g_strdup (code));
  length = strlen (trimmed);
  if (length <= 8)
    /* Too short to show both ends and hide enough: show the last two. */
    return g_strconcat ("****", trimmed + (length > 2 ? length - 2 : length), NULL);
  return g_strdup_printf ("%.4s****%s", trimmed, trimmed + length - 4);
}

const char *
till_wallet_state_to_string (TillWalletState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (state_names), NULL);
  return state_names[state];
}

gboolean
till_wallet_state_from_string (const char *text, TillWalletState *out_state)
{
  g_return_val_if_fail (out_state != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (text, state_names[i]) == 0)
      {
        *out_state = (TillWalletState) i;
        return TRUE;
      }
  return FALSE;
}

TillWalletAttempt *
till_wallet_attempt_copy (const TillWalletAttempt *attempt)
{
  TillWalletAttempt *copy;

  g_return_val_if_fail (attempt != NULL, NULL);

  copy = g_memdup2 (attempt, sizeof *attempt);
  copy->out_trade_no = g_strdup (attempt->out_trade_no);
  copy->cart_uuid = g_strdup (attempt->cart_uuid);
  copy->auth_code = g_strdup (attempt->auth_code);
  copy->transaction_id = g_strdup (attempt->transaction_id);
  copy->buyer = g_strdup (attempt->buyer);
  copy->error_code = g_strdup (attempt->error_code);
  copy->message = g_strdup (attempt->message);
  copy->sale_uuid = g_strdup (attempt->sale_uuid);
  return copy;
}

void
till_wallet_attempt_free (TillWalletAttempt *attempt)
{
  if (attempt == NULL)
    return;
  g_free (attempt->out_trade_no);
  g_free (attempt->cart_uuid);
  g_free (attempt->auth_code);
  g_free (attempt->transaction_id);
  g_free (attempt->buyer);
  g_free (attempt->error_code);
  g_free (attempt->message);
  g_free (attempt->sale_uuid);
  g_free (attempt);
}

/**
 * till_wallet_attempt_begin:
 * @cart_uuid: the sale uuid of the open cart it pays
 * @amount: fen, > 0
 * @auth_code: the scanned code; stored masked unless @deferred
 * @deferred: record it to charge later (check till_wallet_deferred_allowed()
 *   first); it counts against the day's confirm-later cap
 *
 * Commits the new attempt in its own transaction before returning, so the
 * pay request that follows can always be found again after a crash.
 *
 * Returns: (transfer full): the attempt, or %NULL with @error set
 */
TillWalletAttempt *
till_wallet_attempt_begin (TillStore         *store,
                           TillWalletProvider provider,
                           const char        *cart_uuid,
                           gint64             amount,
                           const char        *auth_code,
                           gboolean           deferred,
                           GError           **error)
{
  g_autoptr (TillWalletAttempt) attempt = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *trimmed_code = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (
      provider != TILL_WALLET_NONE && (guint) provider < G_N_ELEMENTS (provider_names), NULL);
  g_return_val_if_fail (cart_uuid != NULL, NULL);
  g_return_val_if_fail (auth_code != NULL, NULL);
  g_return_val_if_fail (!till_store_in_transaction (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (amount <= 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("A wallet payment must be of a positive amount"));
      return NULL;
    }

  trimmed_code = g_strstrip (g_strdup (auth_code));
  attempt = g_new0 (TillWalletAttempt, 1);
  attempt->provider = provider;
  attempt->cart_uuid = g_strdup (cart_uuid);
  attempt->amount = amount;
  attempt->auth_code = deferred ? g_strdup (trimmed_code) : till_wallet_mask_code (trimmed_code);
  attempt->state = deferred ? TILL_WALLET_STATE_DEFERRED : TILL_WALLET_STATE_PENDING;
  attempt->created_us = g_get_real_time ();
  attempt->updated_us = attempt->created_us;

  if (!till_store_begin (store, error))
    return NULL;
  attempt->out_trade_no = make_request_no (store, "", ATTEMPT_COUNTER, error);
  if (attempt->out_trade_no == NULL)
    goto fail;
  stmt = till_store_prepare (store,
                             "INSERT INTO wallet_payment (out_trade_no, provider, cart_uuid, "
                             "amount, auth_code, state, created_us, updated_us) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, attempt->out_trade_no, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, provider_names[provider], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, attempt->cart_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, attempt->amount);
  sqlite3_bind_text (stmt, 5, attempt->auth_code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, state_names[attempt->state], -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, attempt->created_us);
  sqlite3_bind_int64 (stmt, 8, attempt->updated_us);
  if (!till_store_step_done (store, stmt, error))
    goto fail;
  g_clear_pointer (&stmt, till_stmt_release);
  if (deferred && !add_deferred_sum (store, attempt->created_us, amount, error))
    goto fail;
  if (!till_store_commit (store, error))
    return NULL;

  {
    g_autofree char *masked = till_wallet_mask_code (trimmed_code);

    g_info ("Wallet payment %s: %s %" G_GINT64_FORMAT " fen, code %s, cart %s%s",
            attempt->out_trade_no, provider_names[provider], amount, masked, cart_uuid,
            deferred ? ", to confirm later" : "");
  }
  return g_steal_pointer (&attempt);

fail:
  till_store_rollback (store);
  return NULL;
}

/**
 * till_wallet_attempt_save:
 *
 * Writes @attempt's state, code, transaction id, buyer, error code and
 * message (its updated_us is set now). Once it is no longer deferred only the
 * masked code is kept. When it is paid, not yet recorded in a sale, its cart
 * is still the open one and no applied tender names it, the cart_tender row
 * that applies it is written in the same transaction. Runs in its own
 * transaction, or in the caller's when one is open.
 */
gboolean
till_wallet_attempt_save (TillStore *store, TillWalletAttempt *attempt, GError **error)
{
  gboolean own_transaction;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (attempt != NULL && attempt->out_trade_no != NULL, FALSE);
  g_return_val_if_fail ((guint) attempt->state < G_N_ELEMENTS (state_names), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (attempt->state != TILL_WALLET_STATE_DEFERRED && attempt->auth_code != NULL)
    {
      char *masked = till_wallet_mask_code (attempt->auth_code);

      g_free (attempt->auth_code);
      attempt->auth_code = masked;
    }
  else if (attempt->auth_code == NULL)
    attempt->auth_code = g_strdup ("");
  attempt->updated_us = g_get_real_time ();

  own_transaction = !till_store_in_transaction (store);
  if (own_transaction && !till_store_begin (store, error))
    return FALSE;
  if (!update_attempt (store, attempt, error) ||
      (attempt->state == TILL_WALLET_STATE_PAID && !apply_to_cart (store, attempt, error)))
    {
      if (own_transaction)
        till_store_rollback (store);
      return FALSE;
    }
  if (own_transaction && !till_store_commit (store, error))
    return FALSE;
  g_debug ("Wallet payment %s is %s", attempt->out_trade_no, state_names[attempt->state]);
  return TRUE;
}

/**
 * till_wallet_attempt_load:
 *
 * Returns: (transfer full): the attempt, or %NULL with @error set (also when
 *   there is none)
 */
TillWalletAttempt *
till_wallet_attempt_load (TillStore *store, const char *out_trade_no, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (out_trade_no != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load_attempt (store, out_trade_no, error);
}

/**
 * till_wallet_attempt_list_unresolved:
 *
 * Returns: (transfer container) (element-type TillWalletAttempt): pending,
 *   reversing and deferred attempts, oldest first; %NULL with @error set
 */
GPtrArray *
till_wallet_attempt_list_unresolved (TillStore *store, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return list_rows (store,
                    "SELECT " ATTEMPT_COLUMNS " FROM wallet_payment "
                    "WHERE state IN ('pending', 'reversing', 'deferred') "
                    "ORDER BY created_us, out_trade_no",
                    NULL, (gpointer (*) (TillStmt *)) attempt_from_row,
                    (GDestroyNotify) till_wallet_attempt_free, error);
}

/**
 * till_wallet_attempt_to_payment:
 *
 * Returns: (transfer full): the tender @attempt applies: method the provider
 *   id, kind wallet, its amount, the provider's transaction id as reference,
 *   the masked buyer as account and the out_trade_no as attempt
 */
TillSalePayment *
till_wallet_attempt_to_payment (const TillWalletAttempt *attempt)
{
  TillSalePayment *payment;

  g_return_val_if_fail (attempt != NULL, NULL);
  g_return_val_if_fail (attempt->provider != TILL_WALLET_NONE, NULL);

  payment = till_sale_payment_new (provider_names[attempt->provider], TILL_TENDER_KIND_WALLET,
                                   attempt->amount);
  payment->tendered = attempt->amount;
  payment->change = 0;
  g_free (payment->reference);
  payment->reference = g_strdup (attempt->transaction_id);
  g_free (payment->account);
  payment->account = g_strdup (attempt->buyer);
  g_free (payment->attempt);
  payment->attempt = g_strdup (attempt->out_trade_no);
  return payment;
}

/**
 * till_wallet_deferred_allowed:
 * @amount: fen the cashier wants to take to confirm later
 *
 * Without a network a QR wallet payment can only be accepted on trust: the
 * store decides how much (payments.confirm-later-cap per sale, 0 or unset:
 * never; payments.confirm-later-daily-cap per business day, 0 or unset: no
 * limit beyond the per-sale cap).
 *
 * Returns: %TRUE when @amount may be deferred; else %FALSE with
 *   %TILL_TENDER_ERROR_OFFLINE (not allowed) or %TILL_TENDER_ERROR_OVER_LIMIT
 */
gboolean
till_wallet_deferred_allowed (TillStore *store, gint64 amount, GError **error)
{
  gint64 cap;
  gint64 daily_cap;
  gint64 today = 0;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  cap = get_fen_setting (store, "payments.confirm-later-cap");
  daily_cap = get_fen_setting (store, "payments.confirm-later-daily-cap");
  if (cap <= 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OFFLINE,
                   _ ("No network is available for wallet payments, and this store does not "
                      "accept them to confirm later"));
      return FALSE;
    }
  if (amount <= 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("A wallet payment must be of a positive amount"));
      return FALSE;
    }
  if (amount > cap)
    {
      g_autofree char *cap_text = till_money_format_yuan (cap);

      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
                   _ ("Without a network, a wallet payment of at most %s per sale can be "
                      "accepted to confirm later"),
                   cap_text);
      return FALSE;
    }
  if (daily_cap <= 0)
    return TRUE;
  if (!get_deferred_sum (store, g_get_real_time (), &today, error))
    return FALSE;
  if (today > daily_cap || amount > daily_cap - today)
    {
      g_autofree char *cap_text = till_money_format_yuan (daily_cap);
      g_autofree char *left_text = till_money_format_yuan (MAX (daily_cap - today, 0));

      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
                   _ ("Wallet payments to confirm later are limited to %s a day; %s is left "
                      "today"),
                   cap_text, left_text);
      return FALSE;
    }
  return TRUE;
}

TillWalletRefund *
till_wallet_refund_copy (const TillWalletRefund *refund)
{
  TillWalletRefund *copy;

  g_return_val_if_fail (refund != NULL, NULL);

  copy = g_memdup2 (refund, sizeof *refund);
  copy->out_refund_no = g_strdup (refund->out_refund_no);
  copy->out_trade_no = g_strdup (refund->out_trade_no);
  copy->return_uuid = g_strdup (refund->return_uuid);
  copy->refund_id = g_strdup (refund->refund_id);
  copy->message = g_strdup (refund->message);
  return copy;
}

void
till_wallet_refund_free (TillWalletRefund *refund)
{
  if (refund == NULL)
    return;
  g_free (refund->out_refund_no);
  g_free (refund->out_trade_no);
  g_free (refund->return_uuid);
  g_free (refund->refund_id);
  g_free (refund->message);
  g_free (refund);
}

/**
 * till_wallet_refund_save:
 *
 * Writes @refund's state, refund id and message (updated_us is set now).
 */
gboolean
till_wallet_refund_save (TillStore *store, TillWalletRefund *refund, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (refund != NULL && refund->out_refund_no != NULL, FALSE);
  g_return_val_if_fail ((guint) refund->state < G_N_ELEMENTS (refund_state_names), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  refund->updated_us = g_get_real_time ();
  stmt = till_store_prepare (store,
                             "UPDATE wallet_refund SET state = ?, refund_id = ?, message = ?, "
                             "updated_us = ? WHERE out_refund_no = ?",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, refund_state_names[refund->state], -1, SQLITE_STATIC);
  bind_nullable_text (stmt, 2, refund->refund_id);
  bind_nullable_text (stmt, 3, refund->message);
  sqlite3_bind_int64 (stmt, 4, refund->updated_us);
  sqlite3_bind_text (stmt, 5, refund->out_refund_no, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    return FALSE;
  if (sqlite3_changes (till_store_get_db (store)) == 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                   _ ("There is no wallet refund %s"), refund->out_refund_no);
      return FALSE;
    }
  return TRUE;
}

/**
 * till_wallet_refund_list_pending:
 *
 * Returns: (transfer container) (element-type TillWalletRefund): refunds not
 *   yet confirmed, oldest first; %NULL with @error set
 */
GPtrArray *
till_wallet_refund_list_pending (TillStore *store, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return list_rows (store,
                    "SELECT " REFUND_COLUMNS " FROM wallet_refund WHERE state = 'pending' "
                    "ORDER BY created_us, out_refund_no",
                    NULL, (gpointer (*) (TillStmt *)) refund_from_row,
                    (GDestroyNotify) till_wallet_refund_free, error);
}

/**
 * till_wallet_refund_list_for_return:
 *
 * Returns: (transfer container) (element-type TillWalletRefund): the wallet
 *   refunds of the return @return_uuid in the order recorded; %NULL with
 *   @error set
 */
GPtrArray *
till_wallet_refund_list_for_return (TillStore *store, const char *return_uuid, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (return_uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return list_rows (store,
                    "SELECT " REFUND_COLUMNS " FROM wallet_refund WHERE return_uuid = ? "
                    "ORDER BY created_us, out_refund_no",
                    return_uuid, (gpointer (*) (TillStmt *)) refund_from_row,
                    (GDestroyNotify) till_wallet_refund_free, error);
}

/**
 * _till_wallet_refund_create:
 * @out_trade_no: the paid attempt to refund
 * @return_uuid: the return being recorded (its row is written first)
 * @amount: fen to refund, at most what of the payment was not yet refunded
 *
 * Inside the return's transaction: records a pending refund with a new
 * out_refund_no, which every retry reuses so the provider refunds once.
 *
 * Returns: (transfer full): the refund, or %NULL with @error set
 */
TillWalletRefund *
_till_wallet_refund_create (TillStore  *store,
                            const char *out_trade_no,
                            const char *return_uuid,
                            gint64      amount,
                            GError    **error)
{
  g_autoptr (TillWalletAttempt) attempt = NULL;
  g_autoptr (TillWalletRefund) refund = NULL;
  g_autoptr (TillStmt) refunded_stmt = NULL;
  g_autoptr (TillStmt) insert = NULL;
  gint64 refunded_before = 0;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (out_trade_no != NULL && return_uuid != NULL, NULL);
  g_return_val_if_fail (till_store_in_transaction (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  attempt = load_attempt (store, out_trade_no, error);
  if (attempt == NULL)
    return NULL;
  if (attempt->state != TILL_WALLET_STATE_PAID)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                   _ ("The wallet payment %s was not confirmed paid (it is %s): there is "
                      "nothing to refund to the wallet"),
                   out_trade_no, state_names[attempt->state]);
      return NULL;
    }

  refunded_stmt = till_store_prepare (store,
                                      "SELECT COALESCE (SUM (amount), 0) FROM wallet_refund "
                                      "WHERE out_trade_no = ? AND state != 'failed'",
                                      error);
  if (refunded_stmt == NULL)
    return NULL;
  sqlite3_bind_text (refunded_stmt, 1, out_trade_no, -1, SQLITE_STATIC);
  if (sqlite3_step (refunded_stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the wallet refunds"));
      return NULL;
    }
  refunded_before = sqlite3_column_int64 (refunded_stmt, 0);
  g_clear_pointer (&refunded_stmt, till_stmt_release);
  if (amount <= 0 || amount > attempt->amount - refunded_before)
    {
      g_autofree char *left = till_money_format_yuan (attempt->amount - refunded_before);

      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
                   _ ("At most %s of this wallet payment can still be refunded"), left);
      return NULL;
    }

  refund = g_new0 (TillWalletRefund, 1);
  refund->out_refund_no = make_request_no (store, "R", REFUND_COUNTER, error);
  if (refund->out_refund_no == NULL)
    return NULL;
  refund->out_trade_no = g_strdup (out_trade_no);
  refund->provider = attempt->provider;
  refund->return_uuid = g_strdup (return_uuid);
  refund->amount = amount;
  refund->total = attempt->amount;
  refund->state = TILL_WALLET_REFUND_PENDING;
  refund->created_us = g_get_real_time ();
  refund->updated_us = refund->created_us;

  insert = till_store_prepare (store,
                               "INSERT INTO wallet_refund (out_refund_no, out_trade_no, provider, "
                               "return_uuid, amount, total, state, created_us, updated_us) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               error);
  if (insert == NULL)
    return NULL;
  sqlite3_bind_text (insert, 1, refund->out_refund_no, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 2, refund->out_trade_no, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 3, provider_names[refund->provider], -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 4, refund->return_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 5, refund->amount);
  sqlite3_bind_int64 (insert, 6, refund->total);
  sqlite3_bind_text (insert, 7, refund_state_names[refund->state], -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 8, refund->created_us);
  sqlite3_bind_int64 (insert, 9, refund->updated_us);
  if (!till_store_step_done (store, insert, error))
    return NULL;
  g_info ("Wallet refund %s of %" G_GINT64_FORMAT " fen on %s for return %s recorded",
          refund->out_refund_no, amount, out_trade_no, return_uuid);
  return g_steal_pointer (&refund);
}

/**
 * _till_wallet_attempt_record:
 *
 * Inside the sale's transaction: the till never completes a sale on an
 * unconfirmed payment, so the attempt must exist, be paid (or accepted to
 * confirm later), be for exactly @amount and not be recorded yet.
 *
 * Returns: %TRUE when the attempt is now recorded in @sale_uuid; else %FALSE
 *   with %TILL_TENDER_ERROR_FAILED
 */
gboolean
_till_wallet_attempt_record (TillStore  *store,
                             const char *out_trade_no,
                             gint64      amount,
                             const char *sale_uuid,
                             GError    **error)
{
  g_autoptr (TillWalletAttempt) attempt = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (sale_uuid != NULL, FALSE);
  g_return_val_if_fail (till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_trade_no == NULL)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                   _ ("A wallet tender names no payment attempt: the till never completes a "
                      "sale on an unconfirmed payment"));
      return FALSE;
    }
  attempt = load_attempt (store, out_trade_no, &local_error);
  if (attempt == NULL)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                   _ ("The wallet payment %s cannot be found (%s): the till never completes a "
                      "sale on an unconfirmed payment"),
                   out_trade_no, local_error->message);
      return FALSE;
    }
  if (attempt->state != TILL_WALLET_STATE_PAID && attempt->state != TILL_WALLET_STATE_DEFERRED)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                   _ ("The wallet payment %s is %s, not paid: the till never completes a sale "
                      "on an unconfirmed payment"),
                   out_trade_no, state_names[attempt->state]);
      return FALSE;
    }
  if (attempt->amount != amount)
    {
      g_autofree char *paid = till_money_format_yuan (attempt->amount);
      g_autofree char *asked = till_money_format_yuan (amount);

      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                   _ ("The wallet payment %s was for %s, not %s: the till never completes a sale "
                      "on an unconfirmed payment"),
                   out_trade_no, paid, asked);
      return FALSE;
    }
  if (attempt->sale_uuid != NULL)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                   _ ("The wallet payment %s already paid sale %s"), out_trade_no,
                   attempt->sale_uuid);
      return FALSE;
    }

  stmt = till_store_prepare (store,
                             "UPDATE wallet_payment SET sale_uuid = ?, updated_us = ? "
                             "WHERE out_trade_no = ? AND sale_uuid IS NULL",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sale_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  sqlite3_bind_text (stmt, 3, out_trade_no, -1, SQLITE_STATIC);
  return till_store_step_done (store, stmt, error);
}
