/* till-return.c: returns (退货) with and without the receipt, and exchanges
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-return"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-cart.h"
#include "till-journal.h"
#include "till-local-tenders.h"
#include "till-loyalty.h"
#include "till-money.h"
#include "till-outbox.h"
#include "till-permission.h"
#include "till-product.h"
#include "till-return.h"
#include "till-sale.h"
#include "till-shift.h"
#include "till-store.h"
#include "till-user.h"
#include "till-uuid.h"
#include "till-wallet-payment.h"

#define DEFAULT_TILL_ID "T01"
/* Store rules for returns without the receipt, per till and business day. */
#define DEFAULT_NO_RECEIPT_DAILY_COUNT 3
#define DEFAULT_NO_RECEIPT_DAILY_AMOUNT G_GINT64_CONSTANT (20000)
#define MAX_SEARCH_RESULTS 50
/* The largest quantity one no-receipt line may hold: 9 999 units (thousandths). */
#define MAX_QUANTITY G_GINT64_CONSTANT (9999000)

/* A line of a return without the receipt, as the cashier added it. */
typedef struct
{
  TillProduct *product;
  gint64       quantity;
  gint64       unit_price;
  gint64       current_price; /* the product's price when added */
} ManualLine;

/* Where each kind of tender comes in the order refunds fill them
 * (TillRefund in till-return.h): money first, what the till must pay out of
 * its own drawer later, vouchers last. */
typedef enum
{
  RANK_STORED_VALUE,
  RANK_WALLET,
  RANK_CARD,
  RANK_CASH, /* exchange credit and cash: both go back as cash */
  RANK_VOUCHER,
} RefundRank;

/* One of the sale's tenders as refunds see it: what it paid and what earlier
 * returns of the sale gave back to it. Cash and exchange credit share one. */
typedef struct
{
  const TillSalePayment *payment; /* the sale's tender (the first one, for cash) */
  RefundRank             rank;
  guint                  order;    /* the tender's place in the sale */
  const char            *method;   /* what its refund tenders are called */
  TillTenderKind         kind;     /* ditto */
  const char            *key;      /* what its refund tenders reference; NULL for cash */
  gint64                 paid;     /* fen: a_t */
  gint64                 refunded; /* fen, by earlier returns */
} RefundBucket;

/* What earlier returns took back of one sold line. */
typedef struct
{
  gint64 quantity;
  gint64 amount;
  gint64 line_discount;
  gint64 promotion_discount;
  gint64 sale_discount;
} ReturnedBefore;

struct _TillReturn
{
  GObject parent_instance;

  TillStore       *store;
  TillSale        *sale; /* NULL without the receipt */
  TillReturnReason reason;
  gboolean         committed;

  /* With the receipt, one per sale line: */
  ReturnedBefore *before;
  gint64         *picked;
  gint64          subtotal_before;           /* line amounts of the sale's earlier returns */
  gint64          refund_before;             /* their refund totals */
  gint64          points_refunded_before;    /* their points given back */
  gint64          points_clawed_back_before; /* their earned points taken back */
  GArray         *buckets;                   /* RefundBucket, in the order refunds fill them */
  /* Without the receipt: */
  GArray *manual_lines; /* ManualLine */

  /* The lines and figures as they would be committed now (a draft) or as
   * they were recorded (committed). */
  GArray *lines; /* TillReturnLine */
  gint64  subtotal;
  gint64  rounding;
  gint64  refund_total;
  char   *refund_method;
  /* A member's sale (issue 9): earned points this return takes back and
   * redeemed points it gives back. */
  gint64 points_clawed_back;
  gint64 points_refunded;

  /* Recorded at commit: */
  char   *uuid;
  gint64  return_no;
  char   *till_id;
  char   *business_day;
  gint64  created_us;
  gint64  cashier_id;
  char   *cashier_code;
  char   *cashier_name;
  char   *approver_code;
  char   *exchange_sale_uuid;
  GArray *refunds; /* TillRefund: as planned (a draft) or recorded */
  gint64  journal_seq;
  char   *journal_hash;
  char   *shift_uuid; /* the shift it counts in (NULL when none was open) */
  char   *day_uuid;   /* the business day it counts in */
};

G_DEFINE_FINAL_TYPE (TillReturn, till_return, G_TYPE_OBJECT)

G_DEFINE_QUARK (till_return_error_quark, till_return_error)

static const char *const reason_names[TILL_N_RETURN_REASONS] = {
  [TILL_RETURN_REASON_CHANGED_MIND] = "changed-mind",
  [TILL_RETURN_REASON_WRONG_ITEM] = "wrong-item",
  [TILL_RETURN_REASON_DEFECTIVE] = "defective",
  [TILL_RETURN_REASON_DAMAGED] = "damaged",
  [TILL_RETURN_REASON_EXPIRED] = "expired",
};

static const char *const refund_state_names[] = {
  [TILL_REFUND_STATE_DONE] = "done",
  [TILL_REFUND_STATE_PENDING] = "pending",
  [TILL_REFUND_STATE_FAILED] = "failed",
};

static void
clear_return_line (gpointer data)
{
  TillReturnLine *line = data;

  g_clear_pointer (&line->sku, g_free);
  g_clear_pointer (&line->name, g_free);
  g_clear_pointer (&line->unit, g_free);
}

static void
clear_manual_line (gpointer data)
{
  ManualLine *line = data;

  g_clear_object (&line->product);
}

static void
clear_refund (gpointer data)
{
  TillRefund *refund = data;

  g_clear_pointer (&refund->method, g_free);
  g_clear_pointer (&refund->reference, g_free);
  g_clear_pointer (&refund->account, g_free);
}

static void
add_refund (TillReturn     *self,
            const char     *method,
            TillTenderKind  kind,
            gint64          amount,
            const char     *reference,
            const char     *account,
            TillRefundState state)
{
  TillRefund refund = {
    .method = g_strdup (method),
    .amount = amount,
    .reference = g_strdup (reference),
    .kind = kind,
    .account = g_strdup (account),
    .state = state,
  };

  g_array_append_val (self->refunds, refund);
}

static void
add_cash_refund (TillReturn *self, gint64 amount)
{
  add_refund (self, "cash", TILL_TENDER_KIND_CASH, amount, NULL, NULL, TILL_REFUND_STATE_DONE);
}

static int
compare_buckets (gconstpointer a, gconstpointer b)
{
  const RefundBucket *left = a;
  const RefundBucket *right = b;

  if (left->rank != right->rank)
    return left->rank < right->rank ? -1 : 1;
  return left->order < right->order ? -1 : left->order > right->order;
}

/* The sale's tenders in the order refunds fill them. */
static void
build_buckets (TillReturn *self)
{
  guint cash_at = G_MAXUINT;

  g_array_set_size (self->buckets, 0);
  for (guint i = 0; i < till_sale_get_n_payments (self->sale); i++)
    {
      const TillSalePayment *payment = till_sale_get_payment (self->sale, i);
      RefundBucket           bucket = {
                  .payment = payment,
                  .order = i,
                  .method = payment->method,
                  .kind = payment->kind,
                  .key = payment->reference,
                  .paid = payment->amount,
      };

      switch (payment->kind)
        {
        case TILL_TENDER_KIND_STORED_VALUE:
        case TILL_TENDER_KIND_POINTS: /* the member's own, like stored value */
          bucket.rank = RANK_STORED_VALUE;
          break;
        case TILL_TENDER_KIND_WALLET:
          bucket.rank = RANK_WALLET;
          bucket.key = payment->attempt;
          break;
        case TILL_TENDER_KIND_CARD:
          bucket.rank = RANK_CARD;
          break;
        case TILL_TENDER_KIND_VOUCHER:
          bucket.rank = RANK_VOUCHER;
          break;
        case TILL_TENDER_KIND_CASH:
        case TILL_TENDER_KIND_EXCHANGE:
        default:
          bucket.rank = RANK_CASH;
          break;
        }
      /* A wallet payment the provider never confirmed to us by number (a
       * deferred one) has nothing a refund could name: it goes back in cash. */
      if (bucket.rank == RANK_WALLET && bucket.key == NULL)
        bucket.rank = RANK_CASH;
      if (bucket.rank == RANK_CASH)
        {
          if (cash_at != G_MAXUINT)
            {
              g_array_index (self->buckets, RefundBucket, cash_at).paid += payment->amount;
              continue;
            }
          bucket.method = "cash";
          bucket.kind = TILL_TENDER_KIND_CASH;
          bucket.key = NULL;
        }
      if (bucket.rank == RANK_CASH)
        cash_at = self->buckets->len;
      g_array_append_val (self->buckets, bucket);
    }
  g_array_sort (self->buckets, compare_buckets);
}

static gboolean
bucket_matches (const RefundBucket *bucket, const char *method, const char *reference)
{
  if (g_strcmp0 (bucket->method, method) != 0)
    return FALSE;
  return bucket->rank == RANK_CASH || g_strcmp0 (bucket->key, reference) == 0;
}

/* Counts an earlier refund of @amount against the buckets it went to;
 * returns what is left over because it went elsewhere. */
static gint64
consume_matching (TillReturn *self, const char *method, const char *reference, gint64 amount)
{
  for (guint i = 0; i < self->buckets->len && amount > 0; i++)
    {
      RefundBucket *bucket = &g_array_index (self->buckets, RefundBucket, i);
      gint64        take;

      if (!bucket_matches (bucket, method, reference))
        continue;
      take = MIN (amount, MAX (bucket->paid - bucket->refunded, 0));
      bucket->refunded += take;
      amount -= take;
    }
  return amount;
}

/* Fills the buckets' refunded figures from the refund tenders of the
 * sale's returns numbered below @before_return_no: first each against its own
 * tender, then what went elsewhere (cash under the "cash" rule, exchange
 * credit) against the money tenders in order, never against a voucher. */
static gboolean
load_refunded_before (TillReturn *self, gint64 before_return_no, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gint64 elsewhere = 0;
  int    rc;

  for (guint i = 0; i < self->buckets->len; i++)
    g_array_index (self->buckets, RefundBucket, i).refunded = 0;
  stmt = till_store_prepare (self->store,
                             "SELECT f.method, f.reference, f.amount FROM refund_payment f "
                             "JOIN sale_return r ON r.uuid = f.return_uuid "
                             "WHERE r.sale_uuid = ? AND r.return_no < ? "
                             "ORDER BY r.return_no, f.line_no",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, till_sale_get_uuid (self->sale), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, before_return_no);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    elsewhere += consume_matching (self, (const char *) sqlite3_column_text (stmt, 0),
                                   (const char *) sqlite3_column_text (stmt, 1),
                                   sqlite3_column_int64 (stmt, 2));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (self->store, error, _ ("Cannot read earlier refunds"));
      return FALSE;
    }
  for (guint i = 0; i < self->buckets->len && elsewhere > 0; i++)
    {
      RefundBucket *bucket = &g_array_index (self->buckets, RefundBucket, i);
      gint64        take;

      /* Points, like a voucher, are not money: money given elsewhere never
       * counts as giving them back. */
      if (bucket->rank == RANK_VOUCHER || bucket->kind == TILL_TENDER_KIND_POINTS)
        continue;
      take = MIN (elsewhere, MAX (bucket->paid - bucket->refunded, 0));
      bucket->refunded += take;
      elsewhere -= take;
    }
  return TRUE;
}

/* The refund tenders of a draft, by the rule in till-return.h. */
static void
plan_refunds (TillReturn *self)
{
  g_autofree char *rule = NULL;
  gboolean         all_cash;
  gint64           left = self->refund_total;
  gint64           cash = 0;
  guint            cash_at = G_MAXUINT;

  g_array_set_size (self->refunds, 0);
  if (self->sale == NULL)
    {
      add_cash_refund (self, self->refund_total);
      return;
    }
  rule = till_store_get_setting (self->store, "returns.refund-to");
  all_cash = g_strcmp0 (rule, "cash") == 0;

  for (guint i = 0; i < self->buckets->len && left > 0; i++)
    {
      const RefundBucket *bucket = &g_array_index (self->buckets, RefundBucket, i);
      gint64              take = MIN (left, MAX (bucket->paid - bucket->refunded, 0));

      if (take == 0)
        continue;
      left -= take;
      /* Under the "cash" rule points still go back as points: the till
       * never pays cash for them. */
      if (bucket->rank == RANK_CASH ||
          (all_cash && bucket->rank != RANK_VOUCHER && bucket->kind != TILL_TENDER_KIND_POINTS))
        {
          /* One cash row, where the first cash went. */
          if (cash_at == G_MAXUINT)
            {
              cash_at = self->refunds->len;
              add_cash_refund (self, 0);
            }
          cash += take;
          continue;
        }
      add_refund (self, bucket->method, bucket->kind, take, bucket->key, bucket->payment->account,
                  bucket->rank == RANK_WALLET ? TILL_REFUND_STATE_PENDING : TILL_REFUND_STATE_DONE);
    }
  /* Only a sale recorded without tenders, or refunds beyond them before this
   * rule existed, leave something over: the drawer pays it. */
  if (left > 0 || self->refunds->len == 0)
    {
      if (cash_at == G_MAXUINT)
        {
          cash_at = self->refunds->len;
          add_cash_refund (self, 0);
        }
      cash += left;
    }
  if (cash_at != G_MAXUINT)
    g_array_index (self->refunds, TillRefund, cash_at).amount = cash;
}

/* The member's points of a draft (till-return.h): the sale's earned points
 * in proportion to the refund (cumulative over the sale's returns, by
 * till_return_share), and the redeemed points the planned "points" refunds
 * give back, in proportion to the fen of the points tender they refund. */
static void
compute_member_points (TillReturn *self)
{
  gint64   points_paid = 0;
  gint64   fen_paid = 0;
  gint64   fen_refunded = 0;
  gboolean refunds_points = FALSE;

  self->points_clawed_back = 0;
  self->points_refunded = 0;
  if (self->sale == NULL || till_sale_get_member_id (self->sale) == NULL || self->lines->len == 0)
    return;
  self->points_clawed_back =
      MAX (till_return_share (till_sale_get_points_earned (self->sale),
                              self->refund_before + self->refund_total,
                              till_sale_get_total (self->sale), self->points_clawed_back_before),
           0);
  for (guint i = 0; i < self->buckets->len; i++)
    {
      const RefundBucket *bucket = &g_array_index (self->buckets, RefundBucket, i);

      if (bucket->kind != TILL_TENDER_KIND_POINTS)
        continue;
      points_paid += bucket->payment->tendered;
      fen_paid += bucket->paid;
      fen_refunded += bucket->refunded;
    }
  for (guint i = 0; i < self->refunds->len; i++)
    {
      const TillRefund *refund = &g_array_index (self->refunds, TillRefund, i);

      if (refund->kind != TILL_TENDER_KIND_POINTS)
        continue;
      fen_refunded += refund->amount;
      refunds_points = TRUE;
    }
  if (refunds_points && fen_paid > 0)
    self->points_refunded = MAX (
        till_return_share (points_paid, fen_refunded, fen_paid, self->points_refunded_before), 0);
}

/**
 * till_return_share:
 * @total: what is shared out in all (a line's amount, a discount, a sale's
 *   total, later a sale's member points)
 * @part: how much of @whole has been taken back so far, this return included
 * @whole: all there is to take back (the sold quantity, the sale's subtotal)
 * @already: what earlier returns got of @total
 *
 * The one proportional rule of returns: after returning @part of @whole in
 * all, round_half_up (@total × @part / @whole) of @total has been given back,
 * so this return gets that less @already. However a sale is returned in
 * pieces, the pieces add up exactly to @total once everything is back.
 * Issue 9 unwinds member points with the same rule.
 *
 * Returns: this return's share of @total
 */
gint64
till_return_share (gint64 total, gint64 part, gint64 whole, gint64 already)
{
  if (whole <= 0)
    return -already;
  return till_money_round_half_up (total * part, whole) - already;
}

static char *
this_till_id (TillStore *store)
{
  g_autofree char *till_id = till_store_get_setting (store, "till.id");

  return g_strdup (till_id != NULL && *till_id != '\0' ? till_id : DEFAULT_TILL_ID);
}

static gint64
setting_int (TillStore *store, const char *key, gint64 fallback)
{
  g_autofree char *text = till_store_get_setting (store, key);
  gint64           value;
  char            *end = NULL;

  if (text == NULL)
    return fallback;
  value = g_ascii_strtoll (text, &end, 10);
  if (end == text || *end != '\0')
    {
      g_warning ("Setting %s is not a number: %s", key, text);
      return fallback;
    }
  return value;
}

static gboolean
is_storage_error (const GError *error)
{
  return error->domain != TILL_PERMISSION_ERROR && error->domain != TILL_RETURN_ERROR &&
         error->domain != TILL_SHIFT_ERROR &&
         !(error->domain == TILL_SALE_ERROR && error->code != TILL_SALE_ERROR_STORAGE);
}

/* Passes the shop's refusals on as they are and turns everything else (the
 * database, the journal) into STORAGE: nothing was recorded either way. */
static void
propagate_commit_error (GError **error, GError *cause)
{
  if (!is_storage_error (cause))
    {
      g_propagate_error (error, g_error_copy (cause));
      return;
    }
  g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_STORAGE,
               _ ("The return could not be recorded, nothing was refunded: %s"), cause->message);
}

static void
set_lookup_error (GError **error, GError *cause)
{
  if (g_error_matches (cause, TILL_SALE_ERROR, TILL_SALE_ERROR_NOT_FOUND))
    g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_NOT_FOUND,
                 _ ("There is no sale with that receipt number at this till"));
  else
    g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_STORAGE,
                 _ ("The sale cannot be read: %s"), cause->message);
}

static void
set_other_store_error (GError **error)
{
  g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_OTHER_STORE,
               _ ("This receipt was issued by another till or store: return the goods there"));
}

/* Fills self->before and the sums of the sale's earlier returns, those with a
 * return number below @before_return_no. */
static gboolean
load_returned_before (TillReturn *self, gint64 before_return_no, GError **error)
{
  g_autoptr (TillStmt) line_stmt = NULL;
  g_autoptr (TillStmt) sum_stmt = NULL;
  guint n_lines = till_sale_get_n_lines (self->sale);
  int   rc;

  memset (self->before, 0, n_lines * sizeof (ReturnedBefore));
  line_stmt =
      till_store_prepare (self->store,
                          "SELECT l.sale_line_no, sum(l.quantity), sum(l.amount), "
                          "sum(l.line_discount), sum(l.sale_discount), "
                          "sum(l.promotion_discount) FROM sale_return_line l JOIN sale_return r "
                          "ON r.uuid = l.return_uuid "
                          "WHERE r.sale_uuid = ? AND r.return_no < ? "
                          "GROUP BY l.sale_line_no",
                          error);
  if (line_stmt == NULL)
    return FALSE;
  sqlite3_bind_text (line_stmt, 1, till_sale_get_uuid (self->sale), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (line_stmt, 2, before_return_no);
  while ((rc = sqlite3_step (line_stmt)) == SQLITE_ROW)
    {
      gint64          sale_line_no = sqlite3_column_int64 (line_stmt, 0);
      ReturnedBefore *before;

      if (sale_line_no < 1 || sale_line_no > n_lines)
        continue;
      before = &self->before[sale_line_no - 1];
      before->quantity = sqlite3_column_int64 (line_stmt, 1);
      before->amount = sqlite3_column_int64 (line_stmt, 2);
      before->line_discount = sqlite3_column_int64 (line_stmt, 3);
      before->sale_discount = sqlite3_column_int64 (line_stmt, 4);
      before->promotion_discount = sqlite3_column_int64 (line_stmt, 5);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (self->store, error, _ ("Cannot read earlier returns"));
      return FALSE;
    }
  till_stmt_release (g_steal_pointer (&line_stmt));

  sum_stmt =
      till_store_prepare (self->store,
                          "SELECT coalesce(sum(subtotal), 0), coalesce(sum(refund_total), 0), "
                          "coalesce(sum(points_refunded), 0), "
                          "coalesce(sum(points_clawed_back), 0) "
                          "FROM sale_return WHERE sale_uuid = ? AND return_no < ?",
                          error);
  if (sum_stmt == NULL)
    return FALSE;
  sqlite3_bind_text (sum_stmt, 1, till_sale_get_uuid (self->sale), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (sum_stmt, 2, before_return_no);
  if (sqlite3_step (sum_stmt) != SQLITE_ROW)
    {
      till_store_set_error (self->store, error, _ ("Cannot read earlier returns"));
      return FALSE;
    }
  self->subtotal_before = sqlite3_column_int64 (sum_stmt, 0);
  self->refund_before = sqlite3_column_int64 (sum_stmt, 1);
  self->points_refunded_before = sqlite3_column_int64 (sum_stmt, 2);
  self->points_clawed_back_before = sqlite3_column_int64 (sum_stmt, 3);
  till_stmt_release (g_steal_pointer (&sum_stmt));
  return load_refunded_before (self, before_return_no, error);
}

/* Rebuilds the draft's lines and figures from what is picked. */
static void
update_draft (TillReturn *self)
{
  TillStockLocation location = till_return_reason_get_location (self->reason);

  g_array_set_size (self->lines, 0);
  self->subtotal = 0;
  self->rounding = 0;

  if (self->sale != NULL)
    {
      for (guint i = 0; i < till_sale_get_n_lines (self->sale); i++)
        {
          const TillSaleLine   *sold = till_sale_get_line (self->sale, i);
          const ReturnedBefore *before = &self->before[i];
          gint64                returned = before->quantity + self->picked[i];
          TillReturnLine        line;

          if (self->picked[i] == 0)
            continue;
          line = (TillReturnLine){
            .line_no = (int) self->lines->len + 1,
            .sale_line_no = sold->line_no,
            .product_id = sold->product_id,
            .sku = g_strdup (sold->sku),
            .name = g_strdup (sold->name),
            .unit = g_strdup (sold->unit),
            .quantity = self->picked[i],
            .unit_price = sold->unit_price,
            .amount = till_return_share (sold->amount, returned, sold->quantity, before->amount),
            .line_discount = till_return_share (sold->line_discount, returned, sold->quantity,
                                                before->line_discount),
            .promotion_discount = till_return_share (sold->promotion_discount, returned,
                                                     sold->quantity, before->promotion_discount),
            .sale_discount = till_return_share (sold->sale_discount, returned, sold->quantity,
                                                before->sale_discount),
            .vat_rate = sold->vat_rate,
            .weighed = sold->weighed,
            .location = location,
          };
          self->subtotal += line.amount;
          g_array_append_val (self->lines, line);
        }
      /* The sale's 抹零 rounding by the same rule, over its line amounts. */
      if (self->lines->len > 0)
        self->rounding =
            till_return_share (till_sale_get_total (self->sale),
                               self->subtotal_before + self->subtotal,
                               till_sale_get_subtotal (self->sale), self->refund_before) -
            self->subtotal;
    }
  else
    {
      for (guint i = 0; i < self->manual_lines->len; i++)
        {
          const ManualLine *manual = &g_array_index (self->manual_lines, ManualLine, i);
          TillReturnLine    line = {
               .line_no = (int) i + 1,
               .sale_line_no = 0,
               .product_id = till_product_get_id (manual->product),
               .sku = g_strdup (till_product_get_sku (manual->product)),
               .name = g_strdup (till_product_get_name (manual->product)),
               .unit = g_strdup (till_product_get_unit (manual->product)),
               .quantity = manual->quantity,
               .unit_price = manual->unit_price,
               .amount = till_money_line_amount (manual->unit_price, manual->quantity),
               .vat_rate = till_product_get_vat_rate (manual->product),
               .weighed = till_product_get_weighed (manual->product),
               .location = location,
          };

          self->subtotal += line.amount;
          g_array_append_val (self->lines, line);
        }
    }
  self->refund_total = self->subtotal + self->rounding;
  plan_refunds (self);
  compute_member_points (self);
  g_free (self->refund_method);
  self->refund_method = g_strdup (g_array_index (self->refunds, TillRefund, 0).method);
}

static gboolean
check_draft (TillReturn *self, GError **error)
{
  if (!self->committed)
    return TRUE;
  g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_FAILED,
               _ ("This return is already recorded"));
  return FALSE;
}

static gboolean
check_kind (TillReturn *self, gboolean with_receipt, GError **error)
{
  if (!check_draft (self, error))
    return FALSE;
  if ((self->sale != NULL) == with_receipt)
    return TRUE;
  g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_WRONG_KIND,
               with_receipt ? _ ("This return has no receipt: add the goods instead")
                            : _ ("This return has a receipt: pick the goods from the sale"));
  return FALSE;
}

static gboolean
check_returnable (TillReturn *self, guint index, gint64 quantity, GError **error)
{
  const TillSaleLine *sold = till_sale_get_line (self->sale, index);
  gint64              returnable = sold->quantity - self->before[index].quantity;

  if (quantity < 0)
    {
      g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_FAILED,
                   _ ("A quantity cannot be negative"));
      return FALSE;
    }
  if (quantity > returnable)
    {
      g_autofree char *returnable_text = till_quantity_format (MAX (returnable, 0));

      g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_TOO_MANY,
                   _ ("Only %s %s of %s can still be returned"), returnable_text, sold->unit,
                   sold->name);
      return FALSE;
    }
  /* A weighed line's price was for that piece: it comes back whole. */
  if (sold->weighed && quantity != 0 && quantity != sold->quantity)
    {
      g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_FAILED,
                   _ ("%s was weighed: it can only be returned whole"), sold->name);
      return FALSE;
    }
  return TRUE;
}

/* The rules that can refuse a return, run in the commit's transaction after
 * the returned-before figures were read again. Fills @out_approved when the
 * override was needed. */
static gboolean
check_permission (TillReturn         *self,
                  TillJournal        *journal,
                  TillUser           *user,
                  TillPermission      permission,
                  gint64              amount,
                  const TillOverride *override,
                  gboolean           *out_approved,
                  GError            **error)
{
  g_autoptr (GError) own_error = NULL;

  /* First without the override, so an approval is only used (and journaled)
   * when the user could not do this alone. */
  if (till_permission_check (self->store, journal, user, permission, amount, NULL, &own_error))
    return TRUE;
  if (override == NULL ||
      (!g_error_matches (own_error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED) &&
       !g_error_matches (own_error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_LIMIT)))
    {
      g_propagate_error (error, g_steal_pointer (&own_error));
      return FALSE;
    }
  if (!till_permission_check (self->store, journal, user, permission, amount, override, error))
    return FALSE;
  *out_approved = TRUE;
  return TRUE;
}

static gboolean
check_day_limits (TillReturn *self, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gint64 max_count =
      setting_int (self->store, "returns.no-receipt-daily-count", DEFAULT_NO_RECEIPT_DAILY_COUNT);
  gint64 max_amount =
      setting_int (self->store, "returns.no-receipt-daily-amount", DEFAULT_NO_RECEIPT_DAILY_AMOUNT);
  gint64 count;
  gint64 amount;

  stmt = till_store_prepare (self->store,
                             "SELECT count(*), coalesce(sum(refund_total), 0) FROM sale_return "
                             "WHERE sale_uuid IS NULL AND till_id = ? AND business_day = ?",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, self->till_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, self->business_day, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (self->store, error, _ ("Cannot read today's returns"));
      return FALSE;
    }
  count = sqlite3_column_int64 (stmt, 0);
  amount = sqlite3_column_int64 (stmt, 1);

  /* A negative setting means no limit. */
  if (max_count >= 0 && count + 1 > max_count)
    {
      g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_DAY_LIMIT,
                   _ ("This till has made its %" PRId64 " returns without a receipt for today"),
                   max_count);
      return FALSE;
    }
  if (max_amount >= 0 && amount + self->refund_total > max_amount)
    {
      g_autofree char *left_text = till_money_format (MAX (max_amount - amount, 0));

      g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_DAY_LIMIT,
                   _ ("Returns without a receipt are limited per day: %s is left for today"),
                   left_text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_rules (TillReturn         *self,
             TillJournal        *journal,
             TillUser           *user,
             const TillOverride *override,
             gboolean           *out_approved,
             GError            **error)
{
  gint64 largest_price_change = 0;

  /* Another till or an earlier try may have returned some of it meanwhile. */
  if (self->sale != NULL)
    {
      if (!load_returned_before (self, G_MAXINT64, error))
        return FALSE;
      for (guint i = 0; i < till_sale_get_n_lines (self->sale); i++)
        if (!check_returnable (self, i, self->picked[i], error))
          return FALSE;
    }
  update_draft (self);
  if (self->lines->len == 0)
    {
      g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_EMPTY,
                   _ ("Pick what the customer brings back"));
      return FALSE;
    }

  if (self->sale != NULL)
    return check_permission (self, journal, user, TILL_PERMISSION_RETURN_WITH_RECEIPT,
                             self->refund_total, override, out_approved, error);

  /* The store's daily limits come first, so no supervisor is called over for a
   * return that cannot be made today anyway. They are a hard rule of the store,
   * not something one supervisor approves. */
  if (!check_day_limits (self, error) ||
      !check_permission (self, journal, user, TILL_PERMISSION_RETURN_WITHOUT_RECEIPT,
                         self->refund_total, override, out_approved, error))
    return FALSE;

  /* The user's price-override limit is per price change, so the largest change
   * among the lines is what is checked, not their sum. */
  for (guint i = 0; i < self->manual_lines->len; i++)
    {
      const ManualLine *manual = &g_array_index (self->manual_lines, ManualLine, i);

      largest_price_change =
          MAX (largest_price_change, ABS (manual->unit_price - manual->current_price));
    }
  if (largest_price_change > 0)
    return check_permission (self, journal, user, TILL_PERMISSION_PRICE_OVERRIDE,
                             largest_price_change, override, out_approved, error);
  return TRUE;
}

/* The return as the journal signs it and HQ receives it: canonical JSON, keys
 * always in this order, money and quantities as integers. */
static char *
return_to_json (TillReturn *self)
{
  GString *out = g_string_sized_new (512 + 256 * self->lines->len);

  g_string_append_c (out, '{');
  _till_json_add_string (out, "uuid", self->uuid);
  _till_json_add_int (out, "return_no", self->return_no);
  _till_json_add_string (out, "till_id", self->till_id);
  _till_json_add_string (out, "business_day", self->business_day);
  _till_json_add_int (out, "created_us", self->created_us);
  _till_json_add_string (out, "sale_uuid",
                         self->sale != NULL ? till_sale_get_uuid (self->sale) : NULL);
  _till_json_add_string (out, "exchange_sale_uuid", self->exchange_sale_uuid);
  _till_json_add_string (out, "reason", till_return_reason_to_string (self->reason));
  _till_json_add_int (out, "cashier_id", self->cashier_id);
  _till_json_add_string (out, "cashier_code", self->cashier_code);
  _till_json_add_string (out, "cashier_name", self->cashier_name);
  _till_json_add_string (out, "approver_code", self->approver_code);
  g_string_append (out, ",\"lines\":[");
  for (guint i = 0; i < self->lines->len; i++)
    {
      const TillReturnLine *line = &g_array_index (self->lines, TillReturnLine, i);

      g_string_append (out, i > 0 ? ",{" : "{");
      _till_json_add_int (out, "line_no", line->line_no);
      _till_json_add_int (out, "sale_line_no", line->sale_line_no);
      _till_json_add_int (out, "product_id", line->product_id);
      _till_json_add_string (out, "sku", line->sku);
      _till_json_add_string (out, "name", line->name);
      _till_json_add_string (out, "unit", line->unit);
      _till_json_add_int (out, "quantity", line->quantity);
      _till_json_add_int (out, "unit_price", line->unit_price);
      _till_json_add_int (out, "amount", line->amount);
      _till_json_add_int (out, "line_discount", line->line_discount);
      _till_json_add_int (out, "sale_discount", line->sale_discount);
      /* Only when there is one, so that a return without promotions reads as
       * before. */
      if (line->promotion_discount != 0)
        _till_json_add_int (out, "promotion_discount", line->promotion_discount);
      _till_json_add_int (out, "vat_rate", line->vat_rate);
      _till_json_add_int (out, "weighed", line->weighed ? 1 : 0);
      _till_json_add_string (out, "location", till_stock_location_to_string (line->location));
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
  _till_json_add_int (out, "subtotal", self->subtotal);
  _till_json_add_int (out, "rounding", self->rounding);
  _till_json_add_int (out, "refund_total", self->refund_total);
  g_string_append (out, ",\"refunds\":[");
  for (guint i = 0; i < self->refunds->len; i++)
    {
      const TillRefund *refund = &g_array_index (self->refunds, TillRefund, i);

      g_string_append (out, i > 0 ? ",{" : "{");
      _till_json_add_string (out, "method", refund->method);
      _till_json_add_string (out, "kind", till_tender_kind_to_string (refund->kind));
      _till_json_add_int (out, "amount", refund->amount);
      _till_json_add_string (out, "reference", refund->reference);
      _till_json_add_string (out, "account", refund->account);
      _till_json_add_string (out, "state", till_refund_state_to_string (refund->state));
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
  /* Only a member's sale has points to unwind. */
  if (self->sale != NULL && till_sale_get_member_id (self->sale) != NULL)
    {
      _till_json_add_string (out, "member_id", till_sale_get_member_id (self->sale));
      _till_json_add_int (out, "points_refunded", self->points_refunded);
      _till_json_add_int (out, "points_clawed_back", self->points_clawed_back);
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

static gboolean
insert_return_rows (TillReturn *self, GError **error)
{
  g_autoptr (TillStmt) return_stmt = NULL;

  return_stmt = till_store_prepare (
      self->store,
      "INSERT INTO sale_return (uuid, return_no, till_id, business_day, created_us, sale_uuid, "
      "exchange_sale_uuid, cashier_id, cashier_code, cashier_name, approver_code, reason, "
      "subtotal, rounding, refund_total, journal_seq, points_refunded, points_clawed_back, "
      "shift_uuid, day_uuid) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      error);
  if (return_stmt == NULL)
    return FALSE;
  sqlite3_bind_text (return_stmt, 1, self->uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (return_stmt, 2, self->return_no);
  sqlite3_bind_text (return_stmt, 3, self->till_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (return_stmt, 4, self->business_day, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (return_stmt, 5, self->created_us);
  if (self->sale != NULL)
    sqlite3_bind_text (return_stmt, 6, till_sale_get_uuid (self->sale), -1, SQLITE_STATIC);
  sqlite3_bind_text (return_stmt, 7, self->exchange_sale_uuid, -1, SQLITE_STATIC);
  if (self->cashier_id > 0)
    sqlite3_bind_int64 (return_stmt, 8, self->cashier_id);
  sqlite3_bind_text (return_stmt, 9, self->cashier_code, -1, SQLITE_STATIC);
  sqlite3_bind_text (return_stmt, 10, self->cashier_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (return_stmt, 11, self->approver_code, -1, SQLITE_STATIC);
  sqlite3_bind_text (return_stmt, 12, till_return_reason_to_string (self->reason), -1,
                     SQLITE_STATIC);
  sqlite3_bind_int64 (return_stmt, 13, self->subtotal);
  sqlite3_bind_int64 (return_stmt, 14, self->rounding);
  sqlite3_bind_int64 (return_stmt, 15, self->refund_total);
  sqlite3_bind_int64 (return_stmt, 16, self->journal_seq);
  sqlite3_bind_int64 (return_stmt, 17, self->points_refunded);
  sqlite3_bind_int64 (return_stmt, 18, self->points_clawed_back);
  sqlite3_bind_text (return_stmt, 19, self->shift_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (return_stmt, 20, self->day_uuid, -1, SQLITE_STATIC);
  if (!till_store_step_done (self->store, return_stmt, error))
    return FALSE;

  for (guint i = 0; i < self->lines->len; i++)
    {
      const TillReturnLine *line = &g_array_index (self->lines, TillReturnLine, i);
      const char           *location = till_stock_location_to_string (line->location);
      g_autoptr (TillStmt) line_stmt = NULL;
      g_autoptr (TillStmt) move_stmt = NULL;

      line_stmt = till_store_prepare (
          self->store,
          "INSERT INTO sale_return_line (return_uuid, line_no, sale_line_no, product_id, sku, "
          "name, unit, quantity, unit_price, amount, line_discount, sale_discount, vat_rate, "
          "weighed, location, promotion_discount, unit_cost) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "(SELECT cost FROM product WHERE id = ?4))",
          error);
      if (line_stmt == NULL)
        return FALSE;
      sqlite3_bind_text (line_stmt, 1, self->uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int (line_stmt, 2, line->line_no);
      if (line->sale_line_no > 0)
        sqlite3_bind_int (line_stmt, 3, line->sale_line_no);
      sqlite3_bind_int64 (line_stmt, 4, line->product_id);
      sqlite3_bind_text (line_stmt, 5, line->sku, -1, SQLITE_STATIC);
      sqlite3_bind_text (line_stmt, 6, line->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (line_stmt, 7, line->unit, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (line_stmt, 8, line->quantity);
      sqlite3_bind_int64 (line_stmt, 9, line->unit_price);
      sqlite3_bind_int64 (line_stmt, 10, line->amount);
      sqlite3_bind_int64 (line_stmt, 11, line->line_discount);
      sqlite3_bind_int64 (line_stmt, 12, line->sale_discount);
      sqlite3_bind_int (line_stmt, 13, line->vat_rate);
      sqlite3_bind_int (line_stmt, 14, line->weighed ? 1 : 0);
      sqlite3_bind_text (line_stmt, 15, location, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (line_stmt, 16, line->promotion_discount);
      if (!till_store_step_done (self->store, line_stmt, error))
        return FALSE;

      move_stmt = till_store_prepare (self->store,
                                      "INSERT INTO stock_move (product_id, delta, reason, "
                                      "ref_uuid, created_us, location) "
                                      "VALUES (?, ?, 'return', ?, ?, ?)",
                                      error);
      if (move_stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (move_stmt, 1, line->product_id);
      sqlite3_bind_int64 (move_stmt, 2, line->quantity);
      sqlite3_bind_text (move_stmt, 3, self->uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (move_stmt, 4, self->created_us);
      sqlite3_bind_text (move_stmt, 5, location, -1, SQLITE_STATIC);
      if (!till_store_step_done (self->store, move_stmt, error))
        return FALSE;
    }

  for (guint i = 0; i < self->refunds->len; i++)
    {
      const TillRefund *refund = &g_array_index (self->refunds, TillRefund, i);
      g_autoptr (TillStmt) refund_stmt = NULL;

      refund_stmt = till_store_prepare (self->store,
                                        "INSERT INTO refund_payment (return_uuid, line_no, method, "
                                        "amount, reference, kind, account, state) "
                                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                        error);
      if (refund_stmt == NULL)
        return FALSE;
      sqlite3_bind_text (refund_stmt, 1, self->uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int (refund_stmt, 2, (int) i + 1);
      sqlite3_bind_text (refund_stmt, 3, refund->method, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (refund_stmt, 4, refund->amount);
      sqlite3_bind_text (refund_stmt, 5, refund->reference, -1, SQLITE_STATIC);
      sqlite3_bind_text (refund_stmt, 6, till_tender_kind_to_string (refund->kind), -1,
                         SQLITE_STATIC);
      sqlite3_bind_text (refund_stmt, 7, refund->account, -1, SQLITE_STATIC);
      sqlite3_bind_text (refund_stmt, 8, till_refund_state_to_string (refund->state), -1,
                         SQLITE_STATIC);
      if (!till_store_step_done (self->store, refund_stmt, error))
        return FALSE;
    }
  return TRUE;
}

/* A member's sale: the "refund" ledger entries of the points given back
 * (+) and taken back (−), and their tier evaluated again without what was
 * returned. */
static gboolean
unwind_member_points (TillReturn *self, GError **error)
{
  const char *member_id = till_sale_get_member_id (self->sale);
  const char *sale_uuid = till_sale_get_uuid (self->sale);

  if (self->points_refunded > 0 &&
      !_till_loyalty_add_points (self->store, member_id, "refund", self->points_refunded, 0,
                                 sale_uuid, self->uuid, self->created_us, error))
    return FALSE;
  if (self->points_clawed_back > 0 &&
      !_till_loyalty_add_points (self->store, member_id, "refund", -self->points_clawed_back, 0,
                                 sale_uuid, self->uuid, self->created_us, error))
    return FALSE;
  return _till_loyalty_update_tier (self->store, member_id, self->created_us, error);
}

/* What each refund tender does besides its row, in the return's
 * transaction once the return's rows exist: credit a stored-value card,
 * record a wallet refund for the wallet service to carry out, give a
 * member's points back (unwind_member_points). Cash comes from the drawer,
 * a card refund from the card terminal. */
static gboolean
carry_out_refunds (TillReturn *self, GError **error)
{
  if (self->sale != NULL && till_sale_get_member_id (self->sale) != NULL &&
      !unwind_member_points (self, error))
    return FALSE;

  for (guint i = 0; i < self->refunds->len; i++)
    {
      const TillRefund *refund = &g_array_index (self->refunds, TillRefund, i);

      if (refund->amount <= 0)
        continue;
      if (refund->kind == TILL_TENDER_KIND_STORED_VALUE)
        {
          if (!_till_stored_value_credit (self->store, refund->reference, refund->amount,
                                          self->uuid, error))
            return FALSE;
        }
      else if (refund->kind == TILL_TENDER_KIND_WALLET)
        {
          g_autoptr (TillWalletRefund) wallet_refund = _till_wallet_refund_create (
              self->store, refund->reference, self->uuid, refund->amount, error);

          if (wallet_refund == NULL)
            return FALSE;
        }
    }
  return TRUE;
}

/* Forgets what a failed commit filled in, so the draft can be tried again. */
static void
undo_commit_fields (TillReturn *self)
{
  g_clear_pointer (&self->uuid, g_free);
  g_clear_pointer (&self->till_id, g_free);
  g_clear_pointer (&self->business_day, g_free);
  g_clear_pointer (&self->cashier_code, g_free);
  g_clear_pointer (&self->cashier_name, g_free);
  g_clear_pointer (&self->approver_code, g_free);
  g_clear_pointer (&self->exchange_sale_uuid, g_free);
  g_clear_pointer (&self->journal_hash, g_free);
  g_clear_pointer (&self->shift_uuid, g_free);
  g_clear_pointer (&self->day_uuid, g_free);
  g_array_set_size (self->refunds, 0);
  self->return_no = 0;
  self->created_us = 0;
  self->cashier_id = 0;
  self->journal_seq = 0;
}

/* Who, where and when, before the checks that need the till and the day. */
static void
prepare_commit (TillReturn *self, TillUser *user)
{
  self->uuid = till_uuid_v7_new ();
  self->till_id = this_till_id (self->store);
  self->created_us = g_get_real_time ();
  self->business_day = till_store_business_day (self->store, self->created_us);
  self->cashier_id = till_user_get_id (user);
  self->cashier_code = g_strdup (till_user_get_code (user));
  self->cashier_name = g_strdup (till_user_get_name (user));
}

/* What the return adds to its shift's and day's totals (till-shift.h):
 * the refund, and each refund tender. */
static gboolean
tally_return (TillReturn *self, GError **error)
{
  if (!_till_shift_tally (self->store, self->shift_uuid, self->day_uuid, "return", 1,
                          self->refund_total, error))
    return FALSE;
  for (guint i = 0; i < self->refunds->len; i++)
    {
      const TillRefund *refund = &g_array_index (self->refunds, TillRefund, i);
      g_autofree char  *metric = g_strconcat ("refund:", refund->method, NULL);

      if (!_till_shift_tally (self->store, self->shift_uuid, self->day_uuid, metric, 1,
                              refund->amount, error))
        return FALSE;
    }
  return TRUE;
}

/* Everything the return writes, in the caller's transaction, once the rules
 * passed and the refunds are set. */
static gboolean
record_return (TillReturn *self, TillJournal *journal, GError **error)
{
  g_autofree char *return_json = NULL;
  g_autoptr (GBytes) body = NULL;
  guint8 entry_hash[TILL_JOURNAL_HASH_LEN];

  /* First: a shift being closed takes no return, and nothing is written. */
  g_clear_pointer (&self->shift_uuid, g_free);
  g_clear_pointer (&self->day_uuid, g_free);
  if (!_till_shift_attach (self->store, &self->shift_uuid, &self->day_uuid, error))
    return FALSE;
  self->return_no = till_store_next_counter (self->store, "return", error);
  if (self->return_no == 0)
    return FALSE;

  return_json = return_to_json (self);
  body = g_bytes_new (return_json, strlen (return_json));
  if (!till_journal_append (journal, "return", self->uuid, self->created_us, body,
                            &self->journal_seq, entry_hash, error))
    return FALSE;
  self->journal_hash = till_journal_hash_to_hex (entry_hash);

  return insert_return_rows (self, error) && carry_out_refunds (self, error) &&
         tally_return (self, error) &&
         till_outbox_append (self->store, "return", "return", self->uuid, return_json,
                             self->journal_seq, self->journal_hash, self->created_us, error);
}

static void
till_return_dispose (GObject *object)
{
  TillReturn *self = (TillReturn *) object;

  g_clear_object (&self->sale);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (till_return_parent_class)->dispose (object);
}

static void
till_return_finalize (GObject *object)
{
  TillReturn *self = (TillReturn *) object;

  undo_commit_fields (self);
  g_free (self->before);
  g_free (self->picked);
  g_free (self->refund_method);
  g_array_unref (self->manual_lines);
  g_array_unref (self->lines);
  g_array_unref (self->refunds);
  g_array_unref (self->buckets);

  G_OBJECT_CLASS (till_return_parent_class)->finalize (object);
}

static void
till_return_class_init (TillReturnClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = till_return_dispose;
  object_class->finalize = till_return_finalize;
}

static void
till_return_init (TillReturn *self)
{
  self->reason = TILL_RETURN_REASON_CHANGED_MIND;
  self->manual_lines = g_array_new (FALSE, TRUE, sizeof (ManualLine));
  g_array_set_clear_func (self->manual_lines, clear_manual_line);
  self->lines = g_array_new (FALSE, TRUE, sizeof (TillReturnLine));
  g_array_set_clear_func (self->lines, clear_return_line);
  self->refunds = g_array_new (FALSE, TRUE, sizeof (TillRefund));
  self->buckets = g_array_new (FALSE, TRUE, sizeof (RefundBucket));
  g_array_set_clear_func (self->refunds, clear_refund);
  self->refund_method = g_strdup ("cash");
}

const char *
till_return_reason_to_string (TillReturnReason reason)
{
  g_return_val_if_fail ((guint) reason < TILL_N_RETURN_REASONS, NULL);
  return reason_names[reason];
}

gboolean
till_return_reason_from_string (const char *text, TillReturnReason *out_reason)
{
  g_return_val_if_fail (out_reason != NULL, FALSE);

  for (guint i = 0; i < TILL_N_RETURN_REASONS; i++)
    if (g_strcmp0 (text, reason_names[i]) == 0)
      {
        *out_reason = (TillReturnReason) i;
        return TRUE;
      }
  return FALSE;
}

/* Returns: (transfer none): the reason as the cashier picks it, translated */
const char *
till_return_reason_get_label (TillReturnReason reason)
{
  switch (reason)
    {
    case TILL_RETURN_REASON_CHANGED_MIND:
      return _ ("Changed mind");
    case TILL_RETURN_REASON_WRONG_ITEM:
      return _ ("Bought the wrong item");
    case TILL_RETURN_REASON_DEFECTIVE:
      return _ ("Defective");
    case TILL_RETURN_REASON_DAMAGED:
      return _ ("Damaged packaging");
    case TILL_RETURN_REASON_EXPIRED:
      return _ ("Expired");
    default:
      g_return_val_if_reached (NULL);
    }
}

/* Returns: where goods returned for @reason go: saleable stock unless they
 * are faulty, damaged or out of date */
TillStockLocation
till_return_reason_get_location (TillReturnReason reason)
{
  switch (reason)
    {
    case TILL_RETURN_REASON_CHANGED_MIND:
    case TILL_RETURN_REASON_WRONG_ITEM:
      return TILL_STOCK_LOCATION_STOCK;
    case TILL_RETURN_REASON_DEFECTIVE:
    case TILL_RETURN_REASON_DAMAGED:
    case TILL_RETURN_REASON_EXPIRED:
      return TILL_STOCK_LOCATION_DAMAGED;
    default:
      g_return_val_if_reached (TILL_STOCK_LOCATION_DAMAGED);
    }
}

const char *
till_stock_location_to_string (TillStockLocation location)
{
  switch (location)
    {
    case TILL_STOCK_LOCATION_STOCK:
      return "stock";
    case TILL_STOCK_LOCATION_DAMAGED:
      return "damaged";
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * till_return_find_sale:
 * @till_id: the till id on the receipt QR
 * @receipt_no: the receipt number on it
 * @hash16: (nullable): the QR's first 16 hex digits of the sale's journal hash
 *
 * Returns: (transfer full): the sale, or %NULL with @error set: NOT_FOUND,
 *   OTHER_STORE for another till's receipt or a hash that does not match,
 *   STORAGE when the database cannot be read
 */
TillSale *
till_return_find_sale (
    TillStore *store, const char *till_id, gint64 receipt_no, const char *hash16, GError **error)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *own_till_id = NULL;
  const char      *sale_hash;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (till_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  own_till_id = this_till_id (store);
  if (g_ascii_strcasecmp (till_id, own_till_id) != 0)
    {
      set_other_store_error (error);
      return NULL;
    }
  sale = till_sale_load_by_receipt (store, receipt_no, &local_error);
  if (sale == NULL)
    {
      set_lookup_error (error, local_error);
      return NULL;
    }
  /* Another store's till may have the same id and number: the hash tells. */
  sale_hash = till_sale_get_journal_hash (sale);
  if (g_ascii_strcasecmp (till_sale_get_till_id (sale), own_till_id) != 0 ||
      (hash16 != NULL &&
       (strlen (hash16) != 16 || g_ascii_strncasecmp (hash16, sale_hash, 16) != 0)))
    {
      set_other_store_error (error);
      return NULL;
    }
  return g_steal_pointer (&sale);
}

/**
 * till_return_find_sale_by_number:
 * @text: a receipt number as keyed: "T01-00000042", "00000042" or "42"
 *
 * Returns: (transfer full): the sale, or %NULL with @error set as for
 *   till_return_find_sale()
 */
TillSale *
till_return_find_sale_by_number (TillStore *store, const char *text, GError **error)
{
  g_autofree char *stripped = NULL;
  g_autofree char *own_till_id = NULL;
  const char      *digits;
  const char      *dash;
  gint64           receipt_no = 0;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  own_till_id = this_till_id (store);
  stripped = g_strstrip (g_strdup (text));
  dash = strrchr (stripped, '-');
  digits = dash != NULL ? dash + 1 : stripped;
  if (*digits == '\0' || strlen (digits) > 12 || dash == stripped ||
      !g_ascii_string_to_signed (digits, 10, 1, G_MAXINT64, &receipt_no, NULL) ||
      strspn (digits, "0123456789") != strlen (digits))
    {
      g_autofree char *example = g_strdup_printf ("%s-00000042", own_till_id);

      g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_NOT_FOUND,
                   _ ("A receipt number looks like %s, 00000042 or 42"), example);
      return NULL;
    }
  if (dash != NULL)
    {
      g_autofree char *prefix = g_strndup (stripped, (gsize) (dash - stripped));

      return till_return_find_sale (store, prefix, receipt_no, NULL, error);
    }
  return till_return_find_sale (store, own_till_id, receipt_no, NULL, error);
}

/**
 * till_return_search_sales:
 * @day: a business day, "2026-11-23"
 * @total: the sale's total in fen, or -1 for any
 *
 * Returns: (transfer container) (element-type TillSale): the matching sales,
 *   newest first, at most 50 (possibly none), or %NULL with @error set
 */
GPtrArray *
till_return_search_sales (TillStore *store, const char *day, gint64 total, GError **error)
{
  g_autoptr (GPtrArray) sales = NULL;
  g_autoptr (GPtrArray) uuids = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (day != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store,
                             "SELECT uuid FROM sale WHERE business_day = ? "
                             "AND (?2 < 0 OR total = ?2) "
                             "ORDER BY created_us DESC, receipt_no DESC LIMIT ?3",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, day, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, total);
  sqlite3_bind_int (stmt, 3, MAX_SEARCH_RESULTS);
  uuids = g_ptr_array_new_with_free_func (g_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (uuids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      g_autoptr (GError) local_error = NULL;

      till_store_set_error (store, &local_error, _ ("Cannot search the sales"));
      set_lookup_error (error, local_error);
      return NULL;
    }
  till_stmt_release (g_steal_pointer (&stmt));

  sales = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < uuids->len; i++)
    {
      g_autoptr (GError) local_error = NULL;
      TillSale *sale = till_sale_load (store, g_ptr_array_index (uuids, i), &local_error);

      if (sale == NULL)
        {
          set_lookup_error (error, local_error);
          return NULL;
        }
      g_ptr_array_add (sales, sale);
    }
  return g_steal_pointer (&sales);
}

/**
 * till_return_new_with_receipt:
 * @sale: the sale the goods come from
 *
 * Returns: (transfer full): an empty return against @sale, knowing what
 *   earlier returns took back, or %NULL with @error set (STORAGE)
 */
TillReturn *
till_return_new_with_receipt (TillStore *store, TillSale *sale, GError **error)
{
  g_autoptr (TillReturn) self = NULL;
  g_autoptr (GError) local_error = NULL;
  guint n_lines;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_SALE (sale), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n_lines = till_sale_get_n_lines (sale);
  self = g_object_new (TILL_TYPE_RETURN, NULL);
  self->store = g_object_ref (store);
  self->sale = g_object_ref (sale);
  self->before = g_new0 (ReturnedBefore, MAX (n_lines, 1));
  self->picked = g_new0 (gint64, MAX (n_lines, 1));
  build_buckets (self);
  if (!load_returned_before (self, G_MAXINT64, &local_error))
    {
      set_lookup_error (error, local_error);
      return NULL;
    }
  update_draft (self);
  return g_steal_pointer (&self);
}

/* Returns: (transfer full): an empty return of goods brought back without a
 *   receipt */
TillReturn *
till_return_new_without_receipt (TillStore *store)
{
  TillReturn *self;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);

  self = g_object_new (TILL_TYPE_RETURN, NULL);
  self->store = g_object_ref (store);
  update_draft (self);
  return self;
}

/* Returns: (transfer none) (nullable): the sale, NULL without a receipt */
TillSale *
till_return_get_sale (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), NULL);
  return self->sale;
}

/* Returns: the quantity sold on sale line @sale_line_index (thousandths) */
gint64
till_return_get_sold (TillReturn *self, guint sale_line_index)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), 0);
  g_return_val_if_fail (self->sale != NULL, 0);
  g_return_val_if_fail (sale_line_index < till_sale_get_n_lines (self->sale), 0);

  return till_sale_get_line (self->sale, sale_line_index)->quantity;
}

/* Returns: what earlier returns (before this one, for a recorded return) took
 *   back of sale line @sale_line_index */
gint64
till_return_get_returned_before (TillReturn *self, guint sale_line_index)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), 0);
  g_return_val_if_fail (self->sale != NULL, 0);
  g_return_val_if_fail (sale_line_index < till_sale_get_n_lines (self->sale), 0);

  return self->before[sale_line_index].quantity;
}

/* Returns: what can still be returned of sale line @sale_line_index */
gint64
till_return_get_returnable (TillReturn *self, guint sale_line_index)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), 0);
  g_return_val_if_fail (self->sale != NULL, 0);
  g_return_val_if_fail (sale_line_index < till_sale_get_n_lines (self->sale), 0);

  return MAX (till_sale_get_line (self->sale, sale_line_index)->quantity -
                  self->before[sale_line_index].quantity,
              0);
}

/* Returns: what this return takes back of sale line @sale_line_index */
gint64
till_return_get_quantity (TillReturn *self, guint sale_line_index)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), 0);
  g_return_val_if_fail (self->sale != NULL, 0);
  g_return_val_if_fail (sale_line_index < till_sale_get_n_lines (self->sale), 0);

  return self->picked[sale_line_index];
}

/**
 * till_return_set_quantity:
 * @sale_line_index: the sold line, 0-based
 * @quantity: thousandths to take back; 0 drops the line
 *
 * Returns: %TRUE, or %FALSE with @error set: TOO_MANY beyond what is
 *   returnable, WRONG_KIND without a receipt, FAILED for part of a weighed line
 *   or a negative quantity
 */
gboolean
till_return_set_quantity (TillReturn *self, guint sale_line_index, gint64 quantity, GError **error)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_kind (self, TRUE, error))
    return FALSE;
  g_return_val_if_fail (sale_line_index < till_sale_get_n_lines (self->sale), FALSE);
  if (!check_returnable (self, sale_line_index, quantity, error))
    return FALSE;
  self->picked[sale_line_index] = quantity;
  update_draft (self);
  return TRUE;
}

/* Returns: %TRUE, or %FALSE with @error set (EMPTY when nothing is left to
 *   return, WRONG_KIND without a receipt) */
gboolean
till_return_pick_all (TillReturn *self, GError **error)
{
  gboolean any = FALSE;

  g_return_val_if_fail (TILL_IS_RETURN (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_kind (self, TRUE, error))
    return FALSE;
  for (guint i = 0; i < till_sale_get_n_lines (self->sale); i++)
    {
      self->picked[i] = till_return_get_returnable (self, i);
      any = any || self->picked[i] > 0;
    }
  update_draft (self);
  if (!any)
    {
      g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_EMPTY,
                   _ ("Everything on this receipt has been returned already"));
      return FALSE;
    }
  return TRUE;
}

/**
 * till_return_add_product:
 * @product: what the customer brings back
 * @quantity: thousandths, more than 0
 * @unit_price: fen per unit, or -1 for the product's current price
 *
 * Returns: %TRUE, or %FALSE with @error set (WRONG_KIND with a receipt,
 *   FAILED for a quantity or price out of range)
 */
gboolean
till_return_add_product (
    TillReturn *self, TillProduct *product, gint64 quantity, gint64 unit_price, GError **error)
{
  ManualLine line;

  g_return_val_if_fail (TILL_IS_RETURN (self), FALSE);
  g_return_val_if_fail (TILL_IS_PRODUCT (product), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_kind (self, FALSE, error))
    return FALSE;
  if (quantity <= 0 || quantity > MAX_QUANTITY)
    {
      g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_FAILED,
                   _ ("That quantity cannot be returned"));
      return FALSE;
    }
  if (unit_price < -1 || unit_price > G_GINT64_CONSTANT (100000000))
    {
      g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_FAILED,
                   _ ("That price cannot be right"));
      return FALSE;
    }
  line = (ManualLine){
    .product = g_object_ref (product),
    .quantity = quantity,
    .current_price = till_product_get_price (product),
  };
  line.unit_price = unit_price >= 0 ? unit_price : line.current_price;
  g_array_append_val (self->manual_lines, line);
  update_draft (self);
  return TRUE;
}

/* Returns: %TRUE, or %FALSE with @error set (WRONG_KIND with a receipt,
 *   FAILED for no such line) */
gboolean
till_return_remove_line (TillReturn *self, guint index, GError **error)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_kind (self, FALSE, error))
    return FALSE;
  if (index >= self->manual_lines->len)
    {
      g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_FAILED, _ ("There is no line %u"),
                   index + 1);
      return FALSE;
    }
  g_array_remove_index (self->manual_lines, index);
  update_draft (self);
  return TRUE;
}

void
till_return_set_reason (TillReturn *self, TillReturnReason reason)
{
  g_return_if_fail (TILL_IS_RETURN (self));
  g_return_if_fail ((guint) reason < TILL_N_RETURN_REASONS);
  g_return_if_fail (!self->committed);

  self->reason = reason;
  update_draft (self);
}

TillReturnReason
till_return_get_reason (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), TILL_RETURN_REASON_CHANGED_MIND);
  return self->reason;
}

guint
till_return_get_n_lines (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), 0);
  return self->lines->len;
}

/* Returns: (transfer none): line @index; valid until the return changes */
const TillReturnLine *
till_return_get_line (TillReturn *self, guint index)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), NULL);
  g_return_val_if_fail (index < self->lines->len, NULL);
  return &g_array_index (self->lines, TillReturnLine, index);
}

gint64
till_return_get_subtotal (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), 0);
  return self->subtotal;
}

gint64
till_return_get_rounding (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), 0);
  return self->rounding;
}

gint64
till_return_get_refund_total (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), 0);
  return self->refund_total;
}

/* Returns: (transfer none): "cash", or for a recorded return the first refund
 *   tender's method ("exchange" for an exchange) */
const char *
till_return_get_refund_method (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), NULL);

  if (self->committed && self->refunds->len > 0)
    return g_array_index (self->refunds, TillRefund, 0).method;
  return self->refund_method;
}

/**
 * till_return_commit:
 * @journal: the till's journal, on the return's store
 * @user: who makes the return
 * @override: (nullable): a supervisor's approval
 *
 * See the header. Must not be called inside a transaction.
 *
 * Returns: %TRUE, or %FALSE with @error set (TILL_PERMISSION_ERROR for a
 *   refusal, TILL_RETURN_ERROR otherwise) and nothing recorded
 */
gboolean
till_return_commit (TillReturn         *self,
                    TillJournal        *journal,
                    TillUser           *user,
                    const TillOverride *override,
                    GError            **error)
{
  g_autoptr (GError) local_error = NULL;
  gboolean approved = FALSE;

  g_return_val_if_fail (TILL_IS_RETURN (self), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (till_journal_get_store (journal) == self->store, FALSE);
  g_return_val_if_fail (TILL_IS_USER (user), FALSE);
  g_return_val_if_fail (!till_store_in_transaction (self->store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_draft (self, error))
    return FALSE;

  prepare_commit (self, user);
  if (!till_store_begin (self->store, &local_error))
    goto failed;
  if (!check_rules (self, journal, user, override, &approved, &local_error))
    goto failed;
  if (approved)
    self->approver_code = g_strdup (override->supervisor_code);
  /* The refund tenders are the plan check_rules() just made from what is
   * recorded now. */
  if (!record_return (self, journal, &local_error) ||
      !till_store_commit (self->store, &local_error))
    goto failed;

  self->committed = TRUE;
  return TRUE;

failed:
  if (till_store_in_transaction (self->store))
    till_store_rollback (self->store);
  undo_commit_fields (self);
  update_draft (self);
  propagate_commit_error (error, local_error);
  return FALSE;
}

/**
 * till_return_commit_exchange:
 * @cart: the new sale, not empty, on the return's store
 * @journal: the till's journal
 * @user: who makes the exchange (the new sale's cashier)
 * @tendered: cash the customer hands over for what the refund does not cover
 * @override: (nullable): a supervisor's approval for the return
 *
 * See the header. Must not be called inside a transaction.
 *
 * Returns: (transfer full): the new sale, or %NULL with @error set and
 *   nothing recorded
 */
TillSale *
till_return_commit_exchange (TillReturn         *self,
                             TillCart           *cart,
                             TillJournal        *journal,
                             TillUser           *user,
                             gint64              tendered,
                             const TillOverride *override,
                             GError            **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (TillSale) new_sale = NULL;
  gboolean approved = FALSE;
  gint64   credit;

  g_return_val_if_fail (TILL_IS_RETURN (self), NULL);
  g_return_val_if_fail (TILL_IS_CART (cart), NULL);
  g_return_val_if_fail (till_cart_get_store (cart) == self->store, NULL);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (till_journal_get_store (journal) == self->store, NULL);
  g_return_val_if_fail (TILL_IS_USER (user), NULL);
  g_return_val_if_fail (!till_store_in_transaction (self->store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_draft (self, error))
    return NULL;
  if (till_cart_get_n_lines (cart) == 0)
    {
      g_set_error (error, TILL_SALE_ERROR, TILL_SALE_ERROR_EMPTY,
                   _ ("Ring up what the customer takes in exchange"));
      return NULL;
    }

  prepare_commit (self, user);
  self->exchange_sale_uuid = g_strdup (till_cart_get_sale_uuid (cart));
  if (!till_store_begin (self->store, &local_error))
    goto failed;
  if (!check_rules (self, journal, user, override, &approved, &local_error))
    goto failed;
  if (approved)
    self->approver_code = g_strdup (override->supervisor_code);

  /* The refund pays the new sale as far as it goes; any rest is cash back. */
  credit = MIN (self->refund_total, till_cart_get_total (cart));
  g_array_set_size (self->refunds, 0);
  add_refund (self, "exchange", TILL_TENDER_KIND_EXCHANGE, credit, self->exchange_sale_uuid, NULL,
              TILL_REFUND_STATE_DONE);
  if (self->refund_total > credit)
    add_cash_refund (self, self->refund_total - credit);
  /* The credit goes to the new sale: no points are given back. */
  compute_member_points (self);
  if (!record_return (self, journal, &local_error))
    goto failed;
  new_sale =
      _till_sale_record_exchange (cart, journal, user, credit, self->uuid, tendered, &local_error);
  if (new_sale == NULL || !till_store_commit (self->store, &local_error))
    goto failed;

  self->committed = TRUE;
  _till_cart_reset (cart);
  return g_steal_pointer (&new_sale);

failed:
  if (till_store_in_transaction (self->store))
    till_store_rollback (self->store);
  undo_commit_fields (self);
  update_draft (self);
  propagate_commit_error (error, local_error);
  return NULL;
}

/**
 * till_return_load:
 * @uuid: the return's uuid
 *
 * Returns: (transfer full): the recorded return, or %NULL with @error set
 *   (NOT_FOUND, STORAGE)
 */
TillReturn *
till_return_load (TillStore *store, const char *uuid, GError **error)
{
  g_autoptr (TillReturn) self = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (TillStmt) line_stmt = NULL;
  g_autoptr (TillStmt) refund_stmt = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *sale_uuid = NULL;
  int              rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store,
                             "SELECT r.return_no, r.till_id, r.business_day, r.created_us, "
                             "r.sale_uuid, r.exchange_sale_uuid, r.cashier_id, r.cashier_code, "
                             "r.cashier_name, r.approver_code, r.reason, r.subtotal, r.rounding, "
                             "r.refund_total, r.journal_seq, j.entry_hash, r.points_refunded, "
                             "r.points_clawed_back FROM sale_return r "
                             "JOIN journal j ON j.seq = r.journal_seq WHERE r.uuid = ?",
                             &local_error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_NOT_FOUND,
                   _ ("There is no such return"));
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, &local_error, _ ("Cannot read the return"));
      goto failed;
    }

  self = g_object_new (TILL_TYPE_RETURN, NULL);
  self->store = g_object_ref (store);
  self->committed = TRUE;
  self->uuid = g_strdup (uuid);
  self->return_no = sqlite3_column_int64 (stmt, 0);
  self->till_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  self->business_day = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  self->created_us = sqlite3_column_int64 (stmt, 3);
  sale_uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  self->exchange_sale_uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  self->cashier_id = sqlite3_column_int64 (stmt, 6);
  self->cashier_code = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
  self->cashier_name = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
  self->approver_code = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
  if (!till_return_reason_from_string ((const char *) sqlite3_column_text (stmt, 10),
                                       &self->reason))
    self->reason = TILL_RETURN_REASON_CHANGED_MIND;
  self->subtotal = sqlite3_column_int64 (stmt, 11);
  self->rounding = sqlite3_column_int64 (stmt, 12);
  self->refund_total = sqlite3_column_int64 (stmt, 13);
  self->journal_seq = sqlite3_column_int64 (stmt, 14);
  self->journal_hash = sqlite3_column_bytes (stmt, 15) == TILL_JOURNAL_HASH_LEN
                           ? till_journal_hash_to_hex (sqlite3_column_blob (stmt, 15))
                           : g_strdup ("");
  self->points_refunded = sqlite3_column_int64 (stmt, 16);
  self->points_clawed_back = sqlite3_column_int64 (stmt, 17);
  till_stmt_release (g_steal_pointer (&stmt));

  line_stmt = till_store_prepare (store,
                                  "SELECT line_no, coalesce(sale_line_no, 0), product_id, sku, "
                                  "name, unit, quantity, unit_price, amount, line_discount, "
                                  "sale_discount, vat_rate, weighed, location, promotion_discount "
                                  "FROM sale_return_line WHERE return_uuid = ? ORDER BY line_no",
                                  &local_error);
  if (line_stmt == NULL)
    goto failed;
  sqlite3_bind_text (line_stmt, 1, uuid, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (line_stmt)) == SQLITE_ROW)
    {
      TillReturnLine line = {
        .line_no = sqlite3_column_int (line_stmt, 0),
        .sale_line_no = sqlite3_column_int (line_stmt, 1),
        .product_id = sqlite3_column_int64 (line_stmt, 2),
        .sku = g_strdup ((const char *) sqlite3_column_text (line_stmt, 3)),
        .name = g_strdup ((const char *) sqlite3_column_text (line_stmt, 4)),
        .unit = g_strdup ((const char *) sqlite3_column_text (line_stmt, 5)),
        .quantity = sqlite3_column_int64 (line_stmt, 6),
        .unit_price = sqlite3_column_int64 (line_stmt, 7),
        .amount = sqlite3_column_int64 (line_stmt, 8),
        .line_discount = sqlite3_column_int64 (line_stmt, 9),
        .sale_discount = sqlite3_column_int64 (line_stmt, 10),
        .vat_rate = sqlite3_column_int (line_stmt, 11),
        .weighed = sqlite3_column_int (line_stmt, 12) != 0,
        .location = g_strcmp0 ((const char *) sqlite3_column_text (line_stmt, 13), "stock") == 0
                        ? TILL_STOCK_LOCATION_STOCK
                        : TILL_STOCK_LOCATION_DAMAGED,
        .promotion_discount = sqlite3_column_int64 (line_stmt, 14),
      };

      g_array_append_val (self->lines, line);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, &local_error, _ ("Cannot read the return's lines"));
      goto failed;
    }
  till_stmt_release (g_steal_pointer (&line_stmt));

  /* A wallet refund's state is its wallet_refund row's: the wallet service
   * marks that one when the provider answers. */
  refund_stmt =
      till_store_prepare (store,
                          "SELECT f.method, f.amount, f.reference, f.kind, f.account, f.state, "
                          "(SELECT w.state FROM wallet_refund w WHERE f.kind = 'wallet' "
                          "AND w.return_uuid = f.return_uuid AND w.out_trade_no = f.reference "
                          "ORDER BY w.created_us DESC LIMIT 1) "
                          "FROM refund_payment f WHERE f.return_uuid = ? ORDER BY f.line_no",
                          &local_error);
  if (refund_stmt == NULL)
    goto failed;
  sqlite3_bind_text (refund_stmt, 1, uuid, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (refund_stmt)) == SQLITE_ROW)
    {
      const char     *state_text = (const char *) sqlite3_column_text (refund_stmt, 6);
      TillTenderKind  kind = TILL_TENDER_KIND_CASH;
      TillRefundState state = TILL_REFUND_STATE_DONE;

      if (!till_tender_kind_from_string ((const char *) sqlite3_column_text (refund_stmt, 3),
                                         &kind))
        g_warning ("Return %s has a refund of an unknown kind", uuid);
      if (state_text == NULL)
        state_text = (const char *) sqlite3_column_text (refund_stmt, 5);
      if (!till_refund_state_from_string (state_text, &state))
        g_warning ("Return %s has a refund in an unknown state", uuid);
      add_refund (self, (const char *) sqlite3_column_text (refund_stmt, 0), kind,
                  sqlite3_column_int64 (refund_stmt, 1),
                  (const char *) sqlite3_column_text (refund_stmt, 2),
                  (const char *) sqlite3_column_text (refund_stmt, 4), state);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, &local_error, _ ("Cannot read the return's refunds"));
      goto failed;
    }
  till_stmt_release (g_steal_pointer (&refund_stmt));
  if (self->refunds->len > 0)
    {
      g_free (self->refund_method);
      self->refund_method = g_strdup (g_array_index (self->refunds, TillRefund, 0).method);
    }

  /* With the receipt: the sale, and what was returned of it before this one. */
  if (sale_uuid != NULL)
    {
      guint n_lines;

      self->sale = till_sale_load (store, sale_uuid, &local_error);
      if (self->sale == NULL)
        goto failed;
      n_lines = till_sale_get_n_lines (self->sale);
      self->before = g_new0 (ReturnedBefore, MAX (n_lines, 1));
      self->picked = g_new0 (gint64, MAX (n_lines, 1));
      build_buckets (self);
      for (guint i = 0; i < self->lines->len; i++)
        {
          const TillReturnLine *line = &g_array_index (self->lines, TillReturnLine, i);

          if (line->sale_line_no >= 1 && (guint) line->sale_line_no <= n_lines)
            self->picked[line->sale_line_no - 1] += line->quantity;
        }
      if (!load_returned_before (self, self->return_no, &local_error))
        goto failed;
    }
  return g_steal_pointer (&self);

failed:
  g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_STORAGE,
               _ ("The return cannot be read: %s"), local_error->message);
  return NULL;
}

/**
 * till_return_list_for_sale:
 * @sale_uuid: the sale
 *
 * Returns: (transfer container) (element-type TillReturn): the returns made
 *   against @sale_uuid, oldest first (possibly none), or %NULL with @error set
 */
GPtrArray *
till_return_list_for_sale (TillStore *store, const char *sale_uuid, GError **error)
{
  g_autoptr (GPtrArray) returns = NULL;
  g_autoptr (GPtrArray) uuids = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GError) local_error = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (sale_uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (
      store, "SELECT uuid FROM sale_return WHERE sale_uuid = ? ORDER BY return_no", &local_error);
  if (stmt == NULL)
    {
      g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_STORAGE,
                   _ ("The returns cannot be read: %s"), local_error->message);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, sale_uuid, -1, SQLITE_STATIC);
  uuids = g_ptr_array_new_with_free_func (g_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (uuids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, &local_error, _ ("Cannot read the returns"));
      g_set_error (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_STORAGE,
                   _ ("The returns cannot be read: %s"), local_error->message);
      return NULL;
    }
  till_stmt_release (g_steal_pointer (&stmt));

  returns = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < uuids->len; i++)
    {
      TillReturn *loaded = till_return_load (store, g_ptr_array_index (uuids, i), error);

      if (loaded == NULL)
        return NULL;
      g_ptr_array_add (returns, loaded);
    }
  return g_steal_pointer (&returns);
}

gboolean
till_return_is_committed (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), FALSE);
  return self->committed;
}

const char *
till_return_get_uuid (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), NULL);
  return self->uuid;
}

gint64
till_return_get_return_no (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), 0);
  return self->return_no;
}

/* Returns: (transfer full): the return number as printed, "T01-R00000003" */
char *
till_return_format_return_no (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), NULL);
  g_return_val_if_fail (self->committed, NULL);
  return g_strdup_printf ("%s-R%08" G_GINT64_FORMAT, self->till_id, self->return_no);
}

/* Returns: (transfer full) (nullable): when the return was recorded, local
 *   time; NULL before the commit */
GDateTime *
till_return_get_created (TillReturn *self)
{
  g_autoptr (GDateTime) whole_seconds = NULL;

  g_return_val_if_fail (TILL_IS_RETURN (self), NULL);
  if (!self->committed)
    return NULL;

  whole_seconds = g_date_time_new_from_unix_local (self->created_us / G_USEC_PER_SEC);
  return g_date_time_add (whole_seconds, self->created_us % G_USEC_PER_SEC);
}

const char *
till_return_get_till_id (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), NULL);
  return self->till_id;
}

const char *
till_return_get_cashier_code (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), NULL);
  return self->cashier_code;
}

const char *
till_return_get_cashier_name (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), NULL);
  return self->cashier_name;
}

/* Returns: (nullable): the supervisor who approved the return, if one had to */
const char *
till_return_get_approver_code (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), NULL);
  return self->approver_code;
}

const char *
till_return_get_sale_uuid (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), NULL);
  return self->sale != NULL ? till_sale_get_uuid (self->sale) : NULL;
}

const char *
till_return_get_exchange_sale_uuid (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), NULL);
  return self->committed ? self->exchange_sale_uuid : NULL;
}

guint
till_return_get_n_refunds (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), 0);
  return self->refunds->len;
}

/* Returns: (transfer none): refund tender @index of a recorded return, or
 *   as planned now for a draft; valid until the draft changes */
const TillRefund *
till_return_get_refund (TillReturn *self, guint index)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), NULL);
  g_return_val_if_fail (index < self->refunds->len, NULL);
  return &g_array_index (self->refunds, TillRefund, index);
}

/* Returns: the cash the drawer pays out: the "cash" refunds of a recorded
 *   return, or for a draft what it would pay in cash now */
gint64
till_return_get_cash_refund (TillReturn *self)
{
  gint64 cash = 0;

  g_return_val_if_fail (TILL_IS_RETURN (self), 0);

  for (guint i = 0; i < self->refunds->len; i++)
    {
      const TillRefund *refund = &g_array_index (self->refunds, TillRefund, i);

      if (refund->kind == TILL_TENDER_KIND_CASH)
        cash += refund->amount;
    }
  return cash;
}

/* Returns: what goes back as money (cash, card, wallet, stored value): the
 *   refund tenders less exchange credit and a voucher's share */
gint64
till_return_get_money_refund (TillReturn *self)
{
  gint64 money = 0;

  g_return_val_if_fail (TILL_IS_RETURN (self), 0);

  for (guint i = 0; i < self->refunds->len; i++)
    {
      const TillRefund *refund = &g_array_index (self->refunds, TillRefund, i);

      if (refund->kind != TILL_TENDER_KIND_EXCHANGE && refund->kind != TILL_TENDER_KIND_VOUCHER &&
          refund->kind != TILL_TENDER_KIND_POINTS)
        money += refund->amount;
    }
  return money;
}

/* Returns: the member's earned points the return takes back (≥ 0) */
gint64
till_return_get_points_clawed_back (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), 0);
  return self->points_clawed_back;
}

/* Returns: the member's redeemed points the return gives back (≥ 0) */
gint64
till_return_get_points_refunded (TillReturn *self)
{
  g_return_val_if_fail (TILL_IS_RETURN (self), 0);
  return self->points_refunded;
}

const char *
till_refund_state_to_string (TillRefundState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (refund_state_names), NULL);
  return refund_state_names[state];
}

gboolean
till_refund_state_from_string (const char *text, TillRefundState *out_state)
{
  g_return_val_if_fail (out_state != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (refund_state_names); i++)
    if (g_strcmp0 (text, refund_state_names[i]) == 0)
      {
        *out_state = (TillRefundState) i;
        return TRUE;
      }
  return FALSE;
}
