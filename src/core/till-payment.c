/* till-payment.c: paying an open cart, tender by tender (mixed payment)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-payment"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-cart.h"
#include "till-money.h"
#include "till-payment.h"
#include "till-store.h"

/* The most one tender may hand over: a larger figure is a keying mistake. */
#define MAX_TENDERED G_GINT64_CONSTANT (100000000)

struct _TillPayment
{
  GObject parent_instance;

  TillCart  *cart;
  TillStore *store;
  char      *cart_uuid; /* the cart's sale uuid the tenders belong to */
  GPtrArray *tenders;   /* TillSalePayment, by line_no */
  gulong     sale_uuid_handler;
};

G_DEFINE_FINAL_TYPE (TillPayment, till_payment, G_TYPE_OBJECT)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Where the payment stands after its tenders were applied in order. */
typedef struct
{
  gint64   exact;     /* the cart's total before 抹零 */
  gint64   paid;      /* sum of the tenders' amounts */
  gint64   remaining; /* exact − paid, 0 once complete */
  gint64   cash_due;  /* remaining rounded by the store's rule, 0 once complete */
  gint64   rounding;  /* paid − exact once complete, else 0 */
  gint64   change;    /* cash given back */
  gboolean complete;
  gboolean overpaid; /* a non-cash tender pays more than the cart now costs */
} Balance;

/* The cart's total before 抹零: the cart rounds its own total for a cash
 * sale, but only the cash part of a mixed payment is rounded. */
static gint64
exact_total (TillCart *cart)
{
  return till_cart_get_total (cart) - till_cart_get_rounding (cart);
}

/* What cash must pay of @remaining: the store's 抹零 applied to it alone. */
static gint64
cash_due_for (TillCart *cart, gint64 remaining)
{
  return till_money_apply_rounding (remaining, till_cart_get_rounding_rule (cart));
}

/* A cash tender settles the payment when it covers the cash due; the
 * difference to the remaining it paid is the sale's rounding. */
static gboolean
cash_settles (TillCart *cart, const TillSalePayment *tender, gint64 remaining)
{
  return tender->kind == TILL_TENDER_KIND_CASH && tender->amount >= cash_due_for (cart, remaining);
}

/* Replays @tenders in the order they were applied. The payment is complete
 * when nothing is due in cash any more: the remaining is 0, a cash tender
 * covered the cash due, or what remains rounds to nothing under 抹零 (a
 * ¥0.30 rest under 抹角 is not charged, just as a ¥12.30 cash sale costs
 * ¥12.00). Then sum (amount) = exact + rounding. */
static void
compute_balance (TillCart *cart, GPtrArray *tenders, Balance *out)
{
  gint64   remaining;
  gboolean settled_by_cash = FALSE;

  *out = (Balance){ .exact = exact_total (cart) };
  remaining = out->exact;
  for (guint i = 0; i < tenders->len; i++)
    {
      const TillSalePayment *tender = g_ptr_array_index (tenders, i);

      out->paid += tender->amount;
      out->change += tender->change;
      if (settled_by_cash)
        continue;
      if (cash_settles (cart, tender, remaining))
        {
          settled_by_cash = TRUE;
          remaining = 0;
          continue;
        }
      if (tender->kind != TILL_TENDER_KIND_CASH && tender->amount > remaining)
        out->overpaid = TRUE;
      remaining = MAX (remaining - tender->amount, 0);
    }

  out->cash_due = settled_by_cash ? 0 : cash_due_for (cart, remaining);
  out->complete = out->cash_due == 0 && !out->overpaid;
  out->remaining = out->complete ? 0 : remaining;
  out->rounding = out->complete ? out->paid - out->exact : 0;
}

static void
balance_of (TillPayment *self, Balance *out)
{
  compute_balance (self->cart, self->tenders, out);
}

static TillSalePayment *
payment_from_row (sqlite3_stmt *stmt)
{
  TillSalePayment *tender;
  TillTenderKind   kind = TILL_TENDER_KIND_CASH;
  const char      *kind_name = (const char *) sqlite3_column_text (stmt, 2);

  if (!till_tender_kind_from_string (kind_name, &kind))
    g_warning ("Unknown tender kind \"%s\" in cart_tender; counting it as cash", kind_name);
  tender = till_sale_payment_new ((const char *) sqlite3_column_text (stmt, 1), kind,
                                  sqlite3_column_int64 (stmt, 3));
  tender->line_no = sqlite3_column_int (stmt, 0);
  tender->tendered = sqlite3_column_int64 (stmt, 4);
  tender->change = sqlite3_column_int64 (stmt, 5);
  tender->reference = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  tender->account = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
  tender->attempt = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
  return tender;
}

static GPtrArray *
read_tenders (TillStore *store, const char *cart_uuid, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) tenders = NULL;
  int rc;

  stmt = till_store_prepare (store,
                             "SELECT line_no, method, kind, amount, tendered, change, reference, "
                             "account, attempt FROM cart_tender WHERE cart_uuid = ? "
                             "ORDER BY line_no",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, cart_uuid, -1, SQLITE_STATIC);
  tenders = g_ptr_array_new_with_free_func ((GDestroyNotify) till_sale_payment_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (tenders, payment_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the payment of the sale"));
      return NULL;
    }
  return g_steal_pointer (&tenders);
}

/* line_no is never reused within a cart: the next is one past the largest. */
static int
next_line_no (TillStore *store, const char *cart_uuid, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (store,
                             "SELECT coalesce(max(line_no), 0) + 1 FROM cart_tender "
                             "WHERE cart_uuid = ?",
                             error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, cart_uuid, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the payment of the sale"));
      return 0;
    }
  return sqlite3_column_int (stmt, 0);
}

/* Writes @tender as the cart's next applied tender, setting its line_no;
 * inside the caller's transaction. */
static gboolean
insert_tender (TillStore *store, const char *cart_uuid, TillSalePayment *tender, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int line_no = next_line_no (store, cart_uuid, error);

  if (line_no == 0)
    return FALSE;
  stmt = till_store_prepare (store,
                             "INSERT INTO cart_tender (cart_uuid, line_no, method, kind, amount, "
                             "tendered, change, reference, account, attempt, created_us) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, cart_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, line_no);
  sqlite3_bind_text (stmt, 3, tender->method, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, till_tender_kind_to_string (tender->kind), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, tender->amount);
  sqlite3_bind_int64 (stmt, 6, tender->tendered);
  sqlite3_bind_int64 (stmt, 7, tender->change);
  sqlite3_bind_text (stmt, 8, tender->reference, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, tender->account, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 10, tender->attempt, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 11, g_get_real_time ());
  if (!till_store_step_done (store, stmt, error))
    return FALSE;
  tender->line_no = line_no;
  return TRUE;
}

/* A QR wallet attempt the provider confirmed for this cart but that no
 * cart_tender row applies (the till went down between the two writes) is
 * money the customer paid: apply it now. */
static gboolean
apply_paid_wallet_attempts (TillStore *store, const char *cart_uuid, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) found = NULL;
  gboolean own_transaction;
  int      rc;

  stmt = till_store_prepare (store,
                             "SELECT out_trade_no, provider, amount, transaction_id, buyer "
                             "FROM wallet_payment WHERE cart_uuid = ? AND state = 'paid' "
                             "AND sale_uuid IS NULL AND out_trade_no NOT IN "
                             "(SELECT attempt FROM cart_tender WHERE attempt IS NOT NULL) "
                             "ORDER BY created_us",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, cart_uuid, -1, SQLITE_STATIC);
  found = g_ptr_array_new_with_free_func ((GDestroyNotify) till_sale_payment_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillSalePayment *tender =
          till_sale_payment_new ((const char *) sqlite3_column_text (stmt, 1),
                                 TILL_TENDER_KIND_WALLET, sqlite3_column_int64 (stmt, 2));

      tender->attempt = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      tender->reference = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      tender->account = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      g_ptr_array_add (found, tender);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the wallet payments of the sale"));
      return FALSE;
    }
  till_stmt_release (g_steal_pointer (&stmt));
  if (found->len == 0)
    return TRUE;

  own_transaction = !till_store_in_transaction (store);
  if (own_transaction && !till_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < found->len; i++)
    {
      TillSalePayment *tender = g_ptr_array_index (found, i);

      g_message ("Applying the confirmed wallet payment %s to sale %s", tender->attempt, cart_uuid);
      if (!insert_tender (store, cart_uuid, tender, error))
        {
          if (own_transaction)
            till_store_rollback (store);
          return FALSE;
        }
    }
  if (own_transaction && !till_store_commit (store, error))
    {
      till_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

static gboolean
load (TillPayment *self, GError **error)
{
  g_autoptr (GPtrArray) tenders = NULL;

  if (!apply_paid_wallet_attempts (self->store, self->cart_uuid, error))
    return FALSE;
  tenders = read_tenders (self->store, self->cart_uuid, error);
  if (tenders == NULL)
    return FALSE;
  g_ptr_array_unref (self->tenders);
  self->tenders = g_steal_pointer (&tenders);
  return TRUE;
}

/* The cart was sold, voided, held or resumed: the payment follows the sale
 * the cart now holds. */
static void
cart_sale_uuid_changed_cb (TillCart *cart, GParamSpec *pspec, TillPayment *self)
{
  g_autoptr (GError) error = NULL;

  if (g_strcmp0 (self->cart_uuid, till_cart_get_sale_uuid (cart)) == 0)
    return;
  g_free (self->cart_uuid);
  self->cart_uuid = g_strdup (till_cart_get_sale_uuid (cart));
  if (!load (self, &error))
    {
      g_warning ("Cannot load the payment of sale %s: %s", self->cart_uuid, error->message);
      g_ptr_array_set_size (self->tenders, 0);
    }
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static gboolean
attempt_applied (TillPayment *self, const char *attempt)
{
  for (guint i = 0; i < self->tenders->len; i++)
    {
      const TillSalePayment *tender = g_ptr_array_index (self->tenders, i);

      if (g_strcmp0 (tender->attempt, attempt) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
over_limit (GError **error, gint64 amount, gint64 limit)
{
  g_autofree char *amount_text = till_money_format_yuan (amount);
  g_autofree char *limit_text = till_money_format_yuan (limit);

  g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
               _ ("%s is more than the %s still to pay"), amount_text, limit_text);
  return FALSE;
}

/* Cash pays at most the cash due; handing over more is change, which only a
 * tender that settles the cash due can give. Less than the cash due is a
 * part payment and must leave something for another tender to pay (under
 * rounding to the jiao the cash due can exceed the remaining). */
static gboolean
check_cash (const TillSalePayment *tender, const Balance *balance, GError **error)
{
  if (tender->change < 0 || tender->tendered != tender->amount + tender->change ||
      tender->tendered > MAX_TENDERED)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("The cash handed over and the change do not add up"));
      return FALSE;
    }
  if (tender->amount > balance->cash_due)
    return over_limit (error, tender->amount, balance->cash_due);
  if (tender->amount < balance->cash_due && tender->change > 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Cash that does not cover what is due gives no change"));
      return FALSE;
    }
  if (tender->amount < balance->cash_due && tender->amount >= balance->remaining)
    {
      g_autofree char *due_text = till_money_format_yuan (balance->cash_due);

      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Take %s in cash, or less and the rest by another tender"), due_text);
      return FALSE;
    }
  return TRUE;
}

/* A voucher may be worth more than the remaining (the excess is forfeited)
 * but pays no more than it. */
static gboolean
check_voucher (const TillSalePayment *tender, const Balance *balance, GError **error)
{
  if (tender->amount > balance->remaining)
    return over_limit (error, tender->amount, balance->remaining);
  if (tender->tendered < tender->amount || tender->change != 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("A voucher pays at most its face value and gives no change"));
      return FALSE;
    }
  return TRUE;
}

/* Card, wallet, stored value: exactly what they pay, never above the
 * remaining; electronic money is paid to the fen. */
static gboolean
check_exact_tender (const TillSalePayment *tender, const Balance *balance, GError **error)
{
  if (tender->amount > balance->remaining)
    return over_limit (error, tender->amount, balance->remaining);
  if (tender->change != 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Only cash gives change"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_tender (TillPayment *self, const TillSalePayment *tender, GError **error)
{
  Balance balance;

  if (tender->method == NULL || *tender->method == '\0' ||
      till_tender_kind_to_string (tender->kind) == NULL)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("The tender does not say what it is"));
      return FALSE;
    }
  if (tender->amount <= 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("A tender must pay something"));
      return FALSE;
    }
  if (till_cart_get_n_lines (self->cart) == 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("There is nothing to pay for"));
      return FALSE;
    }
  balance_of (self, &balance);
  if (balance.complete)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
                   _ ("The sale is paid in full already"));
      return FALSE;
    }
  switch (tender->kind)
    {
    case TILL_TENDER_KIND_CASH:
      return check_cash (tender, &balance, error);
    case TILL_TENDER_KIND_VOUCHER:
      return check_voucher (tender, &balance, error);
    case TILL_TENDER_KIND_CARD:
    case TILL_TENDER_KIND_WALLET:
    case TILL_TENDER_KIND_STORED_VALUE:
    case TILL_TENDER_KIND_EXCHANGE:
    default:
      return check_exact_tender (tender, &balance, error);
    }
}

static void
till_payment_dispose (GObject *object)
{
  TillPayment *self = (TillPayment *) object;

  g_clear_signal_handler (&self->sale_uuid_handler, self->cart);
  g_clear_object (&self->cart);

  G_OBJECT_CLASS (till_payment_parent_class)->dispose (object);
}

static void
till_payment_finalize (GObject *object)
{
  TillPayment *self = (TillPayment *) object;

  g_free (self->cart_uuid);
  g_ptr_array_unref (self->tenders);

  G_OBJECT_CLASS (till_payment_parent_class)->finalize (object);
}

static void
till_payment_class_init (TillPaymentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = till_payment_dispose;
  object_class->finalize = till_payment_finalize;

  /**
   * TillPayment::changed:
   *
   * A tender was applied or taken off, or the payment was reloaded.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
till_payment_init (TillPayment *self)
{
  self->tenders = g_ptr_array_new_with_free_func ((GDestroyNotify) till_sale_payment_free);
}

/**
 * till_payment_new:
 * @cart: the open cart
 *
 * The payment of @cart as it stands (see the header). It follows the cart:
 * when the cart starts another sale the payment reloads for that one.
 *
 * Returns: (transfer full): the payment, or %NULL with @error set
 */
TillPayment *
till_payment_new (TillCart *cart, GError **error)
{
  g_autoptr (TillPayment) self = NULL;

  g_return_val_if_fail (TILL_IS_CART (cart), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (TILL_TYPE_PAYMENT, NULL);
  self->cart = g_object_ref (cart);
  self->store = till_cart_get_store (cart);
  self->cart_uuid = g_strdup (till_cart_get_sale_uuid (cart));
  if (!load (self, error))
    return NULL;
  self->sale_uuid_handler =
      g_signal_connect (cart, "notify::sale-uuid", G_CALLBACK (cart_sale_uuid_changed_cb), self);
  return g_steal_pointer (&self);
}

/* Returns: (transfer none): the cart this pays */
TillCart *
till_payment_get_cart (TillPayment *self)
{
  g_return_val_if_fail (TILL_IS_PAYMENT (self), NULL);
  return self->cart;
}

guint
till_payment_get_n_tenders (TillPayment *self)
{
  g_return_val_if_fail (TILL_IS_PAYMENT (self), 0);
  return self->tenders->len;
}

/* Returns: (transfer none): applied tender @index (0-based), in the order applied */
const TillSalePayment *
till_payment_get_tender (TillPayment *self, guint index)
{
  g_return_val_if_fail (TILL_IS_PAYMENT (self), NULL);
  g_return_val_if_fail (index < self->tenders->len, NULL);
  return g_ptr_array_index (self->tenders, index);
}

/* Returns: the cart's total before 抹零, in fen */
gint64
till_payment_get_exact (TillPayment *self)
{
  g_return_val_if_fail (TILL_IS_PAYMENT (self), 0);
  return exact_total (self->cart);
}

/* Returns: the sum of the applied tenders' amounts, in fen */
gint64
till_payment_get_paid (TillPayment *self)
{
  Balance balance;

  g_return_val_if_fail (TILL_IS_PAYMENT (self), 0);
  balance_of (self, &balance);
  return balance.paid;
}

/* Returns: fen still to pay to the fen (electronic tenders); 0 once complete:
 *   what 抹零 dropped is not owed */
gint64
till_payment_get_remaining (TillPayment *self)
{
  Balance balance;

  g_return_val_if_fail (TILL_IS_PAYMENT (self), 0);
  balance_of (self, &balance);
  return balance.remaining;
}

/* Returns: fen still to pay in cash: the remaining after 抹零; 0 once complete */
gint64
till_payment_get_cash_due (TillPayment *self)
{
  Balance balance;

  g_return_val_if_fail (TILL_IS_PAYMENT (self), 0);
  balance_of (self, &balance);
  return balance.cash_due;
}

/* Returns: the sale's 抹零 once complete (negative: dropped; positive:
 *   rounded up to the jiao), else 0 */
gint64
till_payment_get_rounding (TillPayment *self)
{
  Balance balance;

  g_return_val_if_fail (TILL_IS_PAYMENT (self), 0);
  balance_of (self, &balance);
  return balance.rounding;
}

/* Returns: the cash given back, in fen */
gint64
till_payment_get_change (TillPayment *self)
{
  Balance balance;

  g_return_val_if_fail (TILL_IS_PAYMENT (self), 0);
  balance_of (self, &balance);
  return balance.change;
}

/**
 * till_payment_is_complete:
 *
 * Returns: %TRUE when nothing more is due and the sale can be recorded. A
 *   payment whose electronic tenders pay more than the cart now costs (a
 *   line was taken off after they were applied) is not complete: a tender
 *   must come off first.
 */
gboolean
till_payment_is_complete (TillPayment *self)
{
  Balance balance;

  g_return_val_if_fail (TILL_IS_PAYMENT (self), FALSE);
  balance_of (self, &balance);
  return balance.complete;
}

gboolean
till_payment_has_captured (TillPayment *self)
{
  g_return_val_if_fail (TILL_IS_PAYMENT (self), FALSE);

  for (guint i = 0; i < self->tenders->len; i++)
    {
      const TillSalePayment *tender = g_ptr_array_index (self->tenders, i);

      if (tender->kind == TILL_TENDER_KIND_CARD || tender->kind == TILL_TENDER_KIND_WALLET)
        return TRUE;
    }
  return FALSE;
}

/**
 * till_payment_add:
 * @payment: a tender from till_tender_authorize_finish()
 *
 * Checks @payment against what is still due (see the header) and applies it,
 * written to cart_tender in its own transaction. A QR wallet tender whose
 * attempt is applied already (its confirmation wrote the row) is not applied
 * twice: the payment reloads instead. Must not be called inside a
 * transaction.
 *
 * Returns: %TRUE when applied; %FALSE with @error set (TILL_TENDER_ERROR
 *   INVALID or OVER_LIMIT, or a store error) and nothing changed
 */
gboolean
till_payment_add (TillPayment *self, const TillSalePayment *payment, GError **error)
{
  g_autoptr (TillSalePayment) tender = NULL;

  g_return_val_if_fail (TILL_IS_PAYMENT (self), FALSE);
  g_return_val_if_fail (payment != NULL, FALSE);
  g_return_val_if_fail (!till_store_in_transaction (self->store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (payment->attempt != NULL)
    {
      if (!load (self, error))
        return FALSE;
      if (attempt_applied (self, payment->attempt))
        {
          g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
          return TRUE;
        }
    }

  tender = till_sale_payment_copy (payment);
  /* Only cash hands over more than it pays; a voucher's face value is kept
   * to show what was forfeited, and a points tender's tendered is the points
   * it spends (till-tender.h), redeemed by the sale. */
  if (tender->kind != TILL_TENDER_KIND_CASH && tender->kind != TILL_TENDER_KIND_VOUCHER &&
      tender->kind != TILL_TENDER_KIND_POINTS)
    tender->tendered = tender->amount;
  if (!check_tender (self, tender, error))
    return FALSE;

  if (!till_store_begin (self->store, error))
    return FALSE;
  if (!insert_tender (self->store, self->cart_uuid, tender, error) ||
      !till_store_commit (self->store, error))
    {
      till_store_rollback (self->store);
      return FALSE;
    }
  g_ptr_array_add (self->tenders, g_steal_pointer (&tender));
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return TRUE;
}

/**
 * till_payment_remove:
 * @index: the applied tender to take off (0-based)
 *
 * Deletes its cart_tender row in its own transaction. The others keep their
 * line numbers.
 *
 * Returns: %TRUE when removed; %FALSE with @error set and nothing changed
 */
gboolean
till_payment_remove (TillPayment *self, guint index, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  const TillSalePayment *tender;

  g_return_val_if_fail (TILL_IS_PAYMENT (self), FALSE);
  g_return_val_if_fail (index < self->tenders->len, FALSE);
  g_return_val_if_fail (!till_store_in_transaction (self->store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  tender = g_ptr_array_index (self->tenders, index);
  if (!till_store_begin (self->store, error))
    return FALSE;
  stmt = till_store_prepare (self->store,
                             "DELETE FROM cart_tender WHERE cart_uuid = ? AND line_no = ?", error);
  if (stmt == NULL)
    {
      till_store_rollback (self->store);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, self->cart_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, tender->line_no);
  if (!till_store_step_done (self->store, stmt, error) || !till_store_commit (self->store, error))
    {
      till_store_rollback (self->store);
      return FALSE;
    }
  g_ptr_array_remove_index (self->tenders, index);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return TRUE;
}

/* Returns: %TRUE when reloaded; %FALSE with @error set (the tenders are kept) */
gboolean
till_payment_reload (TillPayment *self, GError **error)
{
  g_return_val_if_fail (TILL_IS_PAYMENT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!load (self, error))
    return FALSE;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return TRUE;
}

/**
 * _till_payment_delete_journal:
 *
 * For the sale commit: inside its transaction, deletes the cart's applied
 * tenders; the payment in memory follows the cart to its next sale after the
 * commit.
 */
gboolean
_till_payment_delete_journal (TillPayment *self, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_PAYMENT (self), FALSE);
  g_return_val_if_fail (till_store_in_transaction (self->store), FALSE);

  stmt = till_store_prepare (self->store, "DELETE FROM cart_tender WHERE cart_uuid = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, self->cart_uuid, -1, SQLITE_STATIC);
  return till_store_step_done (self->store, stmt, error);
}
