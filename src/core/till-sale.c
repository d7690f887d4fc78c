/* till-sale.c: a completed sale, and the one transaction that records it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-sale"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-cart.h"
#include "till-catalog.h"
#include "till-journal.h"
#include "till-local-tenders.h"
#include "till-loyalty.h"
#include "till-member.h"
#include "till-outbox.h"
#include "till-payment.h"
#include "till-product.h"
#include "till-sale.h"
#include "till-shift.h"
#include "till-store.h"
#include "till-user.h"
#include "till-wallet-payment.h"

#define DEFAULT_TILL_ID "T01"
/* The most cash a till takes for one sale: a larger figure is a keying mistake. */
#define MAX_TENDERED G_GINT64_CONSTANT (100000000)

struct _TillSale
{
  GObject parent_instance;

  char   *uuid;
  char   *till_id;
  gint64  receipt_no;
  char   *business_day;
  gint64  created_us;
  gint64  cashier_id;
  char   *cashier_code;
  char   *cashier_name;
  GArray *lines;    /* TillSaleLine */
  GArray *payments; /* TillSalePayment */
  gint64  subtotal;
  gint64  rounding;
  gint64  total;
  gint64  tendered; /* cash handed over */
  gint64  change;   /* cash given back */
  gint64  item_count;
  gint64  journal_seq;
  char   *journal_hash; /* lower-case hex */
  /* Promotions (issue 8): what each saved (TillSalePromotion, applied ones
   * by saving then code, gifts after), and while committing, the codes of
   * the coupons that applied, to redeem in the sale's transaction. */
  GArray    *promotions;
  GPtrArray *coupons_applied;
  /* Members (issue 9): the sale's member (and while committing, the member
   * attached to the cart), the masked phone the receipt prints, the points
   * the sale earned and the member's balance after it. */
  char       *member_id;
  char       *member_masked;
  gint64      points_earned;
  gint64      points_balance;
  TillMember *member;
  /* Shifts (issue 10): the shift (NULL when none was open) and the business
   * day the sale counts in. */
  char *shift_uuid;
  char *day_uuid;
};

G_DEFINE_FINAL_TYPE (TillSale, till_sale, G_TYPE_OBJECT)

G_DEFINE_QUARK (till_sale_error_quark, till_sale_error)

static void
clear_sale_line (gpointer data)
{
  TillSaleLine *line = data;

  g_clear_pointer (&line->sku, g_free);
  g_clear_pointer (&line->name, g_free);
  g_clear_pointer (&line->unit, g_free);
  g_clear_pointer (&line->promotions, g_array_unref);
  g_clear_pointer (&line->gift_code, g_free);
}

static void
clear_sale_promotion (gpointer data)
{
  TillSalePromotion *promotion = data;

  g_clear_pointer (&promotion->code, g_free);
  g_clear_pointer (&promotion->name, g_free);
  g_clear_pointer (&promotion->kind, g_free);
}

/* @kind: as till_promotion_kind_to_string writes it, NULL when unknown */
static void
add_sale_promotion (TillSale   *self,
                    const char *code,
                    const char *name,
                    const char *kind,
                    gint64      saving,
                    guint       times)
{
  TillPromotionKind parsed;
  TillSalePromotion promotion = {
    .code = g_strdup (code),
    .name = g_strdup (name != NULL ? name : code),
    .kind = g_strdup (kind != NULL ? kind : ""),
    .whole_sale = kind != NULL && till_promotion_kind_from_string (kind, &parsed) &&
                  till_pricing_kind_is_whole_sale (parsed),
    .saving = saving,
    .times = times,
  };

  g_array_append_val (self->promotions, promotion);
}

static gboolean
has_sale_promotion (TillSale *self, const char *code)
{
  for (guint i = 0; i < self->promotions->len; i++)
    if (g_strcmp0 (g_array_index (self->promotions, TillSalePromotion, i).code, code) == 0)
      return TRUE;
  return FALSE;
}

static void
clear_sale_payment (gpointer data)
{
  TillSalePayment *payment = data;

  g_clear_pointer (&payment->method, g_free);
  g_clear_pointer (&payment->reference, g_free);
  g_clear_pointer (&payment->account, g_free);
  g_clear_pointer (&payment->attempt, g_free);
}

/* Appends a copy of @tender as the sale's next payment line; the sale's
 * tendered and change are the cash ones. */
static void
add_payment (TillSale *self, const TillSalePayment *tender)
{
  TillSalePayment payment = {
    .line_no = (int) self->payments->len + 1,
    .method = g_strdup (tender->method),
    .kind = tender->kind,
    .amount = tender->amount,
    .tendered = tender->tendered,
    .change = tender->change,
    .reference = g_strdup (tender->reference),
    .account = g_strdup (tender->account),
    .attempt = g_strdup (tender->attempt),
  };

  g_array_append_val (self->payments, payment);
  if (tender->kind == TILL_TENDER_KIND_CASH)
    {
      self->tendered += tender->tendered;
      self->change += tender->change;
    }
}

/* A JSON string, escaped as RFC 8259 requires and no more, so the same text always
 * gives the same bytes: quote, backslash and control characters; UTF-8 passes
 * through unchanged. */
static void
append_json_string (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\b':
          g_string_append (out, "\\b");
          break;
        case '\f':
          g_string_append (out, "\\f");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

static void
append_json_key_string (GString *out, const char *key, const char *value)
{
  g_string_append_printf (out, "\"%s\":", key);
  append_json_string (out, value);
}

static void
append_json_key_int (GString *out, const char *key, gint64 value)
{
  g_string_append_printf (out, "\"%s\":%" G_GINT64_FORMAT, key, value);
}

static void
append_json_key_nullable (GString *out, const char *key, const char *value)
{
  if (value == NULL)
    g_string_append_printf (out, "\"%s\":null", key);
  else
    append_json_key_string (out, key, value);
}

/* One tender of the sale. Cash and an exchange credit keep the shape every
 * sale had before issue 6, so a plain sale's record is unchanged; every
 * other tender carries all it is: kind, handed over, change, reference,
 * masked account and a QR wallet's attempt (null when it has none). */
static void
append_payment_json (GString *out, const TillSalePayment *payment)
{
  g_string_append_c (out, '{');
  append_json_key_string (out, "method", payment->method);
  g_string_append_c (out, ',');
  if (payment->kind == TILL_TENDER_KIND_CASH && g_strcmp0 (payment->method, "cash") == 0)
    {
      append_json_key_int (out, "amount", payment->amount);
      g_string_append_c (out, ',');
      append_json_key_int (out, "tendered", payment->tendered);
      g_string_append_c (out, ',');
      append_json_key_int (out, "change", payment->change);
    }
  else if (payment->kind == TILL_TENDER_KIND_EXCHANGE)
    {
      append_json_key_int (out, "amount", payment->amount);
      if (payment->reference != NULL)
        {
          g_string_append_c (out, ',');
          append_json_key_string (out, "reference", payment->reference);
        }
    }
  else
    {
      append_json_key_string (out, "kind", till_tender_kind_to_string (payment->kind));
      g_string_append_c (out, ',');
      append_json_key_int (out, "amount", payment->amount);
      g_string_append_c (out, ',');
      append_json_key_int (out, "tendered", payment->tendered);
      g_string_append_c (out, ',');
      append_json_key_int (out, "change", payment->change);
      g_string_append_c (out, ',');
      append_json_key_nullable (out, "reference", payment->reference);
      g_string_append_c (out, ',');
      append_json_key_nullable (out, "account", payment->account);
      g_string_append_c (out, ',');
      append_json_key_nullable (out, "attempt", payment->attempt);
    }
  g_string_append_c (out, '}');
}

/* The sale as the journal signs it and HQ receives it. Canonical: keys always in
 * this order, no whitespace, money and quantities as integers (fen, thousandths). */
static char *
sale_to_json (TillSale *self)
{
  GString *out = g_string_sized_new (256 + 160 * self->lines->len);

  g_string_append_c (out, '{');
  append_json_key_string (out, "uuid", self->uuid);
  g_string_append_c (out, ',');
  append_json_key_string (out, "till_id", self->till_id);
  g_string_append_c (out, ',');
  append_json_key_int (out, "receipt_no", self->receipt_no);
  g_string_append_c (out, ',');
  append_json_key_string (out, "business_day", self->business_day);
  /* Only a sale made in a shift names it, so that others read as before. */
  if (self->shift_uuid != NULL)
    {
      g_string_append_c (out, ',');
      append_json_key_string (out, "shift_uuid", self->shift_uuid);
    }
  g_string_append_c (out, ',');
  append_json_key_int (out, "created_us", self->created_us);
  g_string_append_c (out, ',');
  append_json_key_int (out, "cashier_id", self->cashier_id);
  g_string_append_c (out, ',');
  append_json_key_string (out, "cashier_code", self->cashier_code);
  g_string_append_c (out, ',');
  append_json_key_string (out, "cashier_name", self->cashier_name);
  g_string_append (out, ",\"lines\":[");
  for (guint i = 0; i < self->lines->len; i++)
    {
      const TillSaleLine *line = &g_array_index (self->lines, TillSaleLine, i);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, '{');
      append_json_key_int (out, "line_no", line->line_no);
      g_string_append_c (out, ',');
      append_json_key_int (out, "product_id", line->product_id);
      g_string_append_c (out, ',');
      append_json_key_string (out, "sku", line->sku);
      g_string_append_c (out, ',');
      append_json_key_string (out, "name", line->name);
      g_string_append_c (out, ',');
      append_json_key_string (out, "unit", line->unit);
      g_string_append_c (out, ',');
      append_json_key_int (out, "quantity", line->quantity);
      g_string_append_c (out, ',');
      append_json_key_int (out, "unit_price", line->unit_price);
      g_string_append_c (out, ',');
      append_json_key_int (out, "amount", line->amount);
      g_string_append_c (out, ',');
      append_json_key_int (out, "vat_rate", line->vat_rate);
      g_string_append_c (out, ',');
      append_json_key_int (out, "weighed", line->weighed ? 1 : 0);
      /* Only when there is one, so a plain sale's record stays as before. */
      if (line->original_price >= 0)
        {
          g_string_append_c (out, ',');
          append_json_key_int (out, "original_price", line->original_price);
        }
      if (line->line_discount != 0 || line->discount_bp != 0)
        {
          g_string_append_c (out, ',');
          append_json_key_int (out, "discount_bp", line->discount_bp);
          g_string_append_c (out, ',');
          append_json_key_int (out, "line_discount", line->line_discount);
        }
      if (line->sale_discount != 0)
        {
          g_string_append_c (out, ',');
          append_json_key_int (out, "sale_discount", line->sale_discount);
        }
      if (line->promotion_discount != 0)
        {
          g_string_append_c (out, ',');
          append_json_key_int (out, "promotion_discount", line->promotion_discount);
        }
      if (line->gift_code != NULL)
        {
          g_string_append_c (out, ',');
          append_json_key_string (out, "gift_code", line->gift_code);
        }
      if (line->promotions != NULL && line->promotions->len > 0)
        {
          g_string_append (out, ",\"promotions\":[");
          for (guint k = 0; k < line->promotions->len; k++)
            {
              const TillPricingShare *share =
                  &g_array_index (line->promotions, TillPricingShare, k);

              g_string_append (out, k > 0 ? ",{" : "{");
              append_json_key_string (out, "code", share->code);
              g_string_append_c (out, ',');
              append_json_key_int (out, "amount", share->amount);
              g_string_append_c (out, '}');
            }
          g_string_append_c (out, ']');
        }
      g_string_append_c (out, '}');
    }
  g_string_append (out, "],");
  append_json_key_int (out, "subtotal", self->subtotal);
  g_string_append_c (out, ',');
  append_json_key_int (out, "rounding", self->rounding);
  g_string_append_c (out, ',');
  append_json_key_int (out, "total", self->total);
  g_string_append_c (out, ',');
  append_json_key_int (out, "item_count", self->item_count);
  /* Only a member's sale names them; never their phone, even masked. */
  if (self->member_id != NULL)
    {
      g_string_append_c (out, ',');
      append_json_key_string (out, "member_id", self->member_id);
      g_string_append_c (out, ',');
      append_json_key_int (out, "points_earned", self->points_earned);
    }
  if (self->promotions->len > 0)
    {
      g_string_append (out, ",\"promotions\":[");
      for (guint i = 0; i < self->promotions->len; i++)
        {
          const TillSalePromotion *promotion =
              &g_array_index (self->promotions, TillSalePromotion, i);

          g_string_append (out, i > 0 ? ",{" : "{");
          append_json_key_string (out, "code", promotion->code);
          g_string_append_c (out, ',');
          append_json_key_string (out, "name", promotion->name);
          g_string_append_c (out, ',');
          append_json_key_string (out, "kind", promotion->kind);
          g_string_append_c (out, ',');
          append_json_key_int (out, "saving", promotion->saving);
          g_string_append_c (out, ',');
          append_json_key_int (out, "times", promotion->times);
          g_string_append_c (out, '}');
        }
      g_string_append_c (out, ']');
    }
  g_string_append (out, ",\"payments\":[");
  for (guint i = 0; i < self->payments->len; i++)
    {
      const TillSalePayment *payment = &g_array_index (self->payments, TillSalePayment, i);

      if (i > 0)
        g_string_append_c (out, ',');
      append_payment_json (out, payment);
    }
  g_string_append (out, "]}");
  return g_string_free (out, FALSE);
}

/* The code that was presented for the coupon @promotion: its coupon_code,
 * or a member coupon of it as issued ("BDAY-7K3Q9Z", till-loyalty.h),
 * which is spent in its own way (redeem_coupons). */
static char *
presented_coupon_code (TillCart *cart, const TillPromotion *promotion)
{
  const char *const *codes = till_cart_get_coupons (cart);
  gsize              prefix_len = strlen (promotion->coupon_code);

  if (g_strv_contains (codes, promotion->coupon_code))
    return g_strdup (promotion->coupon_code);
  for (guint i = 0; codes[i] != NULL; i++)
    if (strncmp (codes[i], promotion->coupon_code, prefix_len) == 0 && codes[i][prefix_len] == '-')
      return g_strdup (codes[i]);
  return g_strdup (promotion->coupon_code);
}

/* What each promotion saved, from the cart's last pricing: the applied
 * ones (a coupon among them is to be redeemed), then the gifts on the
 * lines, which save nothing on what was bought. */
static void
add_promotions_from_cart (TillSale *self, TillCart *cart)
{
  const TillPricingResult *pricing = till_cart_get_pricing (cart);

  for (guint i = 0; i < pricing->applied->len; i++)
    {
      const TillPricingApplied *applied = g_ptr_array_index (pricing->applied, i);
      const TillPromotion      *promotion = till_cart_find_promotion (cart, applied->code);

      if (has_sale_promotion (self, applied->code))
        continue;
      add_sale_promotion (self, applied->code, applied->name,
                          promotion != NULL ? till_promotion_kind_to_string (promotion->kind)
                                            : NULL,
                          applied->saving, applied->times);
      if (promotion != NULL && promotion->kind == TILL_PROMOTION_COUPON &&
          promotion->coupon_code != NULL)
        g_ptr_array_add (self->coupons_applied, presented_coupon_code (cart, promotion));
    }
  for (guint i = 0; i < self->lines->len; i++)
    {
      const TillSaleLine  *line = &g_array_index (self->lines, TillSaleLine, i);
      const TillPromotion *promotion;
      gint64               given = 0;

      if (line->gift_code == NULL || has_sale_promotion (self, line->gift_code))
        continue;
      for (guint k = i; k < self->lines->len; k++)
        if (g_strcmp0 (g_array_index (self->lines, TillSaleLine, k).gift_code, line->gift_code) ==
            0)
          given += g_array_index (self->lines, TillSaleLine, k).quantity;
      promotion = till_cart_find_promotion (cart, line->gift_code);
      add_sale_promotion (self, line->gift_code, promotion != NULL ? promotion->name : NULL,
                          till_promotion_kind_to_string (TILL_PROMOTION_GIFT), 0,
                          promotion != NULL && promotion->gift_quantity > 0
                              ? (guint) MAX (given / promotion->gift_quantity, 1)
                              : 1);
    }
}

/* Copies the cart into a sale not yet numbered or stored. */
static TillSale *
sale_from_cart (TillCart *cart, TillUser *cashier)
{
  TillSale *self = g_object_new (TILL_TYPE_SALE, NULL);
  guint     n_lines = till_cart_get_n_lines (cart);

  self->uuid = g_strdup (till_cart_get_sale_uuid (cart));
  if (till_cart_get_member (cart) != NULL)
    {
      self->member = till_member_copy (till_cart_get_member (cart));
      self->member_id = g_strdup (self->member->id);
      self->member_masked = g_strdup (self->member->phone_masked);
    }
  self->cashier_id = till_user_get_id (cashier);
  self->cashier_code = g_strdup (till_user_get_code (cashier));
  self->cashier_name = g_strdup (till_user_get_name (cashier));
  for (guint i = 0; i < n_lines; i++)
    {
      TillCartLine *cart_line = till_cart_get_line (cart, i);
      TillProduct  *product = till_cart_line_get_product (cart_line);
      TillSaleLine  line = {
         .line_no = (int) i + 1,
         .product_id = till_product_get_id (product),
         .sku = g_strdup (till_product_get_sku (product)),
         .name = g_strdup (till_product_get_name (product)),
         .unit = g_strdup (till_product_get_unit (product)),
         .quantity = till_cart_line_get_quantity (cart_line),
         .unit_price = till_cart_line_get_unit_price (cart_line),
         .amount = till_cart_line_get_amount (cart_line),
         .vat_rate = till_product_get_vat_rate (product),
         .weighed = till_product_get_weighed (product),
         .original_price = till_cart_line_has_price_override (cart_line)
                               ? till_cart_line_get_original_price (cart_line)
                               : -1,
         .discount_bp = till_cart_line_get_discount_bp (cart_line),
         .line_discount = till_cart_line_get_line_discount (cart_line),
         .sale_discount = till_cart_line_get_sale_discount (cart_line),
         .promotion_discount = till_cart_line_get_promotion_discount (cart_line),
         .promotions = till_pricing_shares_copy (till_cart_line_get_promotions (cart_line)),
         .gift_code = g_strdup (till_cart_line_get_gift_code (cart_line)),
      };

      g_array_append_val (self->lines, line);
    }
  add_promotions_from_cart (self, cart);
  self->subtotal = till_cart_get_subtotal (cart);
  self->rounding = till_cart_get_rounding (cart);
  self->total = till_cart_get_total (cart);
  self->item_count = till_cart_get_item_count (cart);
  return self;
}

static gboolean
insert_sale_rows (TillSale *self, TillStore *store, GError **error)
{
  g_autoptr (TillStmt) sale_stmt = NULL;
  g_autoptr (TillStmt) payment_stmt = NULL;

  sale_stmt =
      till_store_prepare (store,
                          "INSERT INTO sale (uuid, receipt_no, till_id, business_day, "
                          "created_us, cashier_id, cashier_code, cashier_name, subtotal, "
                          "rounding, total, item_count, journal_seq, member_id, "
                          "member_masked, points_earned, points_balance, shift_uuid, "
                          "day_uuid) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          error);
  if (sale_stmt == NULL)
    return FALSE;
  sqlite3_bind_text (sale_stmt, 1, self->uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (sale_stmt, 2, self->receipt_no);
  sqlite3_bind_text (sale_stmt, 3, self->till_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (sale_stmt, 4, self->business_day, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (sale_stmt, 5, self->created_us);
  if (self->cashier_id > 0)
    sqlite3_bind_int64 (sale_stmt, 6, self->cashier_id);
  else
    sqlite3_bind_null (sale_stmt, 6);
  sqlite3_bind_text (sale_stmt, 7, self->cashier_code, -1, SQLITE_STATIC);
  sqlite3_bind_text (sale_stmt, 8, self->cashier_name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (sale_stmt, 9, self->subtotal);
  sqlite3_bind_int64 (sale_stmt, 10, self->rounding);
  sqlite3_bind_int64 (sale_stmt, 11, self->total);
  sqlite3_bind_int64 (sale_stmt, 12, self->item_count);
  sqlite3_bind_int64 (sale_stmt, 13, self->journal_seq);
  sqlite3_bind_text (sale_stmt, 14, self->member_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (sale_stmt, 15, self->member_masked, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (sale_stmt, 16, self->points_earned);
  sqlite3_bind_int64 (sale_stmt, 17, self->points_balance);
  sqlite3_bind_text (sale_stmt, 18, self->shift_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (sale_stmt, 19, self->day_uuid, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, sale_stmt, error))
    return FALSE;

  for (guint i = 0; i < self->lines->len; i++)
    {
      const TillSaleLine *line = &g_array_index (self->lines, TillSaleLine, i);
      g_autoptr (TillStmt) line_stmt = NULL;
      g_autoptr (TillStmt) move_stmt = NULL;

      line_stmt = till_store_prepare (store,
                                      "INSERT INTO sale_line (sale_uuid, line_no, product_id, "
                                      "sku, name, unit, quantity, unit_price, amount, vat_rate, "
                                      "weighed, original_price, discount_bp, line_discount, "
                                      "sale_discount, promotion_discount, gift_code, unit_cost) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                      "(SELECT cost FROM product WHERE id = ?3))",
                                      error);
      if (line_stmt == NULL)
        return FALSE;
      sqlite3_bind_text (line_stmt, 1, self->uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int (line_stmt, 2, line->line_no);
      sqlite3_bind_int64 (line_stmt, 3, line->product_id);
      sqlite3_bind_text (line_stmt, 4, line->sku, -1, SQLITE_STATIC);
      sqlite3_bind_text (line_stmt, 5, line->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (line_stmt, 6, line->unit, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (line_stmt, 7, line->quantity);
      sqlite3_bind_int64 (line_stmt, 8, line->unit_price);
      sqlite3_bind_int64 (line_stmt, 9, line->amount);
      sqlite3_bind_int (line_stmt, 10, line->vat_rate);
      sqlite3_bind_int (line_stmt, 11, line->weighed ? 1 : 0);
      if (line->original_price >= 0)
        sqlite3_bind_int64 (line_stmt, 12, line->original_price);
      else
        sqlite3_bind_null (line_stmt, 12);
      sqlite3_bind_int (line_stmt, 13, line->discount_bp);
      sqlite3_bind_int64 (line_stmt, 14, line->line_discount);
      sqlite3_bind_int64 (line_stmt, 15, line->sale_discount);
      sqlite3_bind_int64 (line_stmt, 16, line->promotion_discount);
      sqlite3_bind_text (line_stmt, 17, line->gift_code, -1, SQLITE_STATIC);
      if (!till_store_step_done (store, line_stmt, error))
        return FALSE;
      for (guint k = 0; line->promotions != NULL && k < line->promotions->len; k++)
        {
          const TillPricingShare *share = &g_array_index (line->promotions, TillPricingShare, k);
          g_autoptr (TillStmt) share_stmt = NULL;

          share_stmt = till_store_prepare (store,
                                           "INSERT INTO sale_line_promotion (sale_uuid, line_no, "
                                           "code, amount) VALUES (?, ?, ?, ?)",
                                           error);
          if (share_stmt == NULL)
            return FALSE;
          sqlite3_bind_text (share_stmt, 1, self->uuid, -1, SQLITE_STATIC);
          sqlite3_bind_int (share_stmt, 2, line->line_no);
          sqlite3_bind_text (share_stmt, 3, share->code, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (share_stmt, 4, share->amount);
          if (!till_store_step_done (store, share_stmt, error))
            return FALSE;
        }

      move_stmt = till_store_prepare (store,
                                      "INSERT INTO stock_move (product_id, delta, reason, "
                                      "ref_uuid, created_us) VALUES (?, ?, 'sale', ?, ?)",
                                      error);
      if (move_stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (move_stmt, 1, line->product_id);
      sqlite3_bind_int64 (move_stmt, 2, -line->quantity);
      sqlite3_bind_text (move_stmt, 3, self->uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (move_stmt, 4, self->created_us);
      if (!till_store_step_done (store, move_stmt, error))
        return FALSE;
    }

  for (guint i = 0; i < self->promotions->len; i++)
    {
      const TillSalePromotion *promotion = &g_array_index (self->promotions, TillSalePromotion, i);
      g_autoptr (TillStmt) promotion_stmt = NULL;

      promotion_stmt = till_store_prepare (store,
                                           "INSERT INTO sale_promotion (sale_uuid, code, name, "
                                           "kind, saving, times) VALUES (?, ?, ?, ?, ?, ?)",
                                           error);
      if (promotion_stmt == NULL)
        return FALSE;
      sqlite3_bind_text (promotion_stmt, 1, self->uuid, -1, SQLITE_STATIC);
      sqlite3_bind_text (promotion_stmt, 2, promotion->code, -1, SQLITE_STATIC);
      sqlite3_bind_text (promotion_stmt, 3, promotion->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (promotion_stmt, 4, promotion->kind, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (promotion_stmt, 5, promotion->saving);
      sqlite3_bind_int64 (promotion_stmt, 6, promotion->times);
      if (!till_store_step_done (store, promotion_stmt, error))
        return FALSE;
    }

  for (guint i = 0; i < self->payments->len; i++)
    {
      const TillSalePayment *payment = &g_array_index (self->payments, TillSalePayment, i);

      payment_stmt = till_store_prepare (store,
                                         "INSERT INTO payment (sale_uuid, line_no, method, amount, "
                                         "tendered, change, reference, kind, account, attempt) "
                                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                         error);
      if (payment_stmt == NULL)
        return FALSE;
      sqlite3_bind_text (payment_stmt, 1, self->uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int (payment_stmt, 2, payment->line_no);
      sqlite3_bind_text (payment_stmt, 3, payment->method, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (payment_stmt, 4, payment->amount);
      sqlite3_bind_int64 (payment_stmt, 5, payment->tendered);
      sqlite3_bind_int64 (payment_stmt, 6, payment->change);
      sqlite3_bind_text (payment_stmt, 7, payment->reference, -1, SQLITE_STATIC);
      sqlite3_bind_text (payment_stmt, 8, till_tender_kind_to_string (payment->kind), -1,
                         SQLITE_STATIC);
      sqlite3_bind_text (payment_stmt, 9, payment->account, -1, SQLITE_STATIC);
      sqlite3_bind_text (payment_stmt, 10, payment->attempt, -1, SQLITE_STATIC);
      if (!till_store_step_done (store, payment_stmt, error))
        return FALSE;
      g_clear_pointer (&payment_stmt, till_stmt_release);
    }
  return TRUE;
}

/* Each tender's own entry, checked again inside the sale's transaction: what
 * was true when the tender was authorized may have changed since (another
 * till spent the card's balance, the voucher was used, the wallet attempt
 * was reversed). */
static gboolean
record_tender_entries (TillSale *self, TillStore *store, GError **error)
{
  for (guint i = 0; i < self->payments->len; i++)
    {
      const TillSalePayment *payment = &g_array_index (self->payments, TillSalePayment, i);

      switch (payment->kind)
        {
        case TILL_TENDER_KIND_WALLET:
          if (payment->attempt == NULL)
            {
              g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_UNCONFIRMED,
                           _ ("The wallet payment has no attempt to confirm it"));
              return FALSE;
            }
          if (!_till_wallet_attempt_record (store, payment->attempt, payment->amount, self->uuid,
                                            error))
            return FALSE;
          break;
        case TILL_TENDER_KIND_STORED_VALUE:
          if (!_till_stored_value_debit (store, payment->reference, payment->amount, self->uuid,
                                         error))
            return FALSE;
          break;
        case TILL_TENDER_KIND_VOUCHER:
          if (!_till_voucher_redeem (store, payment->reference, self->subtotal, self->uuid, error))
            return FALSE;
          break;
        case TILL_TENDER_KIND_POINTS:
          /* The points are the member's whose id the tender names, and only
           * the sale's own member pays with theirs. */
          if (payment->reference == NULL || payment->tendered <= 0 ||
              (self->member_id != NULL && g_strcmp0 (payment->reference, self->member_id) != 0))
            {
              g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                           _ ("The points tender is not the member's of this sale"));
              return FALSE;
            }
          if (!_till_loyalty_redeem (store, payment->reference, payment->tendered, self->uuid,
                                     self->created_us, error))
            return FALSE;
          break;
        case TILL_TENDER_KIND_CASH:
        case TILL_TENDER_KIND_CARD:
        case TILL_TENDER_KIND_EXCHANGE:
        default:
          break;
        }
    }
  return TRUE;
}

/* Spends the coupons that applied, checked again inside the sale's
 * transaction: a single-use code may have been used since it was scanned
 * (another till's sale came in with a sync pull, or a held sale). A coupon
 * that was presented but did not apply is not spent. */
static gboolean
redeem_coupons (TillSale *self, TillStore *store, GError **error)
{
  for (guint i = 0; i < self->coupons_applied->len; i++)
    {
      const char      *code = g_ptr_array_index (self->coupons_applied, i);
      g_autofree char *owner = NULL;
      g_autoptr (GError) owner_error = NULL;

      /* A member coupon is spent in member_coupon, and only on its
       * member's sale (the cart checked; a held sale may have changed
       * hands since). */
      owner = _till_loyalty_coupon_owner (store, code, &owner_error);
      if (owner_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&owner_error));
          return FALSE;
        }
      if (owner != NULL && g_strcmp0 (owner, self->member_id) != 0)
        {
          g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON,
                       _ ("Coupon %s is another member's, take it off the sale"), code);
          return FALSE;
        }
      if (owner != NULL)
        {
          if (!_till_loyalty_use_member_coupon (store, code, self->uuid, self->created_us, error))
            {
              g_prefix_error (error, _ ("Coupon %s cannot be used, take it off the sale: "), code);
              return FALSE;
            }
          continue;
        }
      if (!till_promotion_redeem_coupon (store, code, self->uuid, self->created_us, error))
        {
          g_prefix_error (error, _ ("Coupon %s cannot be used, take it off the sale: "), code);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
strv_has (GStrv strv, const char *text)
{
  return strv != NULL && text != NULL && g_strv_contains ((const char *const *) strv, text);
}

/* What earns points (till-loyalty.h): the amounts of the lines whose SKU and
 * categories the rules do not exclude, less the share of them paid by the
 * tenders the rules exclude (in proportion to what those paid of the total,
 * rounded half-up). */
static gint64
points_eligible (TillSale *self, TillCart *cart, const TillLoyaltyRules *rules)
{
  TillCatalog *catalog = till_cart_get_catalog (cart);
  gint64       lines = 0;
  gint64       excluded_paid = 0;

  for (guint i = 0; i < till_cart_get_n_lines (cart); i++)
    {
      TillCartLine *line = till_cart_get_line (cart, i);
      TillProduct  *product = till_cart_line_get_product (line);
      gint64        amount = till_cart_line_get_amount (line);
      gboolean      excluded = FALSE;

      if (amount <= 0 || strv_has (rules->points_excluded_skus, till_product_get_sku (product)))
        continue;
      if (rules->points_excluded_categories != NULL && rules->points_excluded_categories[0] != NULL)
        {
          g_autoptr (GError) error = NULL;
          g_auto (GStrv) codes = till_catalog_get_category_codes (
              catalog, till_product_get_category_id (product), &error);

          if (error != NULL)
            g_message ("Points for %s without its categories: %s", till_product_get_sku (product),
                       error->message);
          for (guint k = 0; codes != NULL && codes[k] != NULL && !excluded; k++)
            excluded = strv_has (rules->points_excluded_categories, codes[k]);
        }
      if (!excluded)
        lines += amount;
    }
  for (guint i = 0; i < self->payments->len; i++)
    {
      const TillSalePayment *payment = &g_array_index (self->payments, TillSalePayment, i);

      if (strv_has (rules->points_excluded_tenders, till_tender_kind_to_string (payment->kind)) ||
          strv_has (rules->points_excluded_tenders, payment->method))
        excluded_paid += payment->amount;
    }
  if (lines <= 0 || self->total <= 0)
    return 0;
  excluded_paid = CLAMP (excluded_paid, 0, self->total);
  return lines - till_money_round_half_up (lines * excluded_paid, self->total);
}

/* The member's points for the sale, in its transaction: the earn entry
 * (after any redeem entry of a points tender) and the balance after it. A
 * rules setting that does not parse earns nothing, with a message: the sale
 * is never refused for it. */
static gboolean
record_member_points (TillSale *self, TillCart *cart, TillStore *store, GError **error)
{
  g_autoptr (GError) rules_error = NULL;
  g_autoptr (TillLoyaltyRules) rules = till_loyalty_rules_load (store, &rules_error);
  GError *balance_error = NULL;

  self->points_earned = 0;
  if (rules == NULL)
    g_message ("Sale %s earns no points: %s", self->uuid, rules_error->message);
  else
    {
      g_autoptr (GDateTime) local = till_sale_get_created (self);

      self->points_earned =
          till_loyalty_points_for (rules, self->member, points_eligible (self, cart, rules), local);
      if (self->points_earned > 0 &&
          !_till_loyalty_add_points (store, self->member_id, "earn", self->points_earned,
                                     till_loyalty_points_expires_us (rules, local), self->uuid,
                                     NULL, self->created_us, error))
        return FALSE;
    }
  self->points_balance = till_loyalty_points_balance (store, self->member_id, &balance_error);
  if (balance_error != NULL)
    {
      g_propagate_error (error, balance_error);
      return FALSE;
    }
  return TRUE;
}

/* After the sale's rows: the member's tier by the rules, with this sale. */
static gboolean
evaluate_member_tier (TillSale *self, TillStore *store, GError **error)
{
  return self->member_id == NULL ||
         _till_loyalty_update_tier (store, self->member_id, self->created_us, error);
}

/* What the sale adds to its shift's and day's totals (till-shift.h). */
static gboolean
tally_sale (TillSale *self, TillStore *store, GError **error)
{
  gint64 gross = 0;
  gint64 discount = 0;
  gint64 promotion = 0;

  for (guint i = 0; i < self->lines->len; i++)
    {
      const TillSaleLine *line = &g_array_index (self->lines, TillSaleLine, i);

      gross += line->amount + line->line_discount + line->promotion_discount + line->sale_discount;
      discount += line->line_discount + line->sale_discount;
      promotion += line->promotion_discount;
    }
  if (!_till_shift_tally (store, self->shift_uuid, self->day_uuid, "sale", 1, self->total, error) ||
      !_till_shift_tally (store, self->shift_uuid, self->day_uuid, "gross", self->lines->len, gross,
                          error) ||
      (discount != 0 && !_till_shift_tally (store, self->shift_uuid, self->day_uuid, "discount", 1,
                                            discount, error)) ||
      (promotion != 0 && !_till_shift_tally (store, self->shift_uuid, self->day_uuid, "promotion",
                                             1, promotion, error)) ||
      (self->rounding != 0 && !_till_shift_tally (store, self->shift_uuid, self->day_uuid,
                                                  "rounding", 1, self->rounding, error)))
    return FALSE;
  for (guint i = 0; i < self->payments->len; i++)
    {
      const TillSalePayment *payment = &g_array_index (self->payments, TillSalePayment, i);
      g_autofree char       *metric = g_strconcat ("tender:", payment->method, NULL);

      if (!_till_shift_tally (store, self->shift_uuid, self->day_uuid, metric, 1, payment->amount,
                              error))
        return FALSE;
    }
  return TRUE;
}

/* Everything the sale writes, in the caller's transaction. */
static gboolean
record_sale (TillSale *self, TillCart *cart, TillJournal *journal, GError **error)
{
  TillStore       *store = till_cart_get_store (cart);
  g_autofree char *sale_json = NULL;
  g_autoptr (GBytes) body = NULL;
  guint8 entry_hash[TILL_JOURNAL_HASH_LEN];

  /* First: a shift being closed takes no sale, and nothing is written. */
  if (!_till_shift_attach (store, &self->shift_uuid, &self->day_uuid, error))
    return FALSE;
  if (!record_tender_entries (self, store, error) || !redeem_coupons (self, store, error))
    return FALSE;

  self->receipt_no = till_store_next_counter (store, "receipt", error);
  if (self->receipt_no == 0)
    return FALSE;
  if (self->member != NULL && !record_member_points (self, cart, store, error))
    return FALSE;

  sale_json = sale_to_json (self);
  body = g_bytes_new (sale_json, strlen (sale_json));
  if (!till_journal_append (journal, "sale", self->uuid, self->created_us, body, &self->journal_seq,
                            entry_hash, error))
    return FALSE;
  self->journal_hash = till_journal_hash_to_hex (entry_hash);

  return insert_sale_rows (self, store, error) && evaluate_member_tier (self, store, error) &&
         tally_sale (self, store, error) &&
         till_outbox_append (store, "sale", "sale", self->uuid, sale_json, self->journal_seq,
                             self->journal_hash, self->created_us, error) &&
         _till_cart_delete_journal (cart, error);
}

static gboolean
check_not_empty (TillCart *cart, GError **error)
{
  if (till_cart_get_n_lines (cart) > 0)
    return TRUE;
  g_set_error (error, TILL_SALE_ERROR, TILL_SALE_ERROR_EMPTY, _ ("There is nothing to sell"));
  return FALSE;
}

static gboolean
insufficient_cash (GError **error, gint64 tendered, gint64 due)
{
  g_autofree char *due_text = till_money_format (due);
  g_autofree char *tendered_text = till_money_format (tendered);

  g_set_error (error, TILL_SALE_ERROR, TILL_SALE_ERROR_INSUFFICIENT,
               _ ("The customer handed over %s but the total is %s"), tendered_text, due_text);
  return FALSE;
}

/* The tenders pay the cart: not empty, sum (amount) = subtotal + @rounding,
 * cash covers its part and is the only tender with change. These are money
 * invariants: ordinary errors, never asserts. */
static gboolean
check_tenders (TillCart *cart, GPtrArray *tenders, gint64 rounding, GError **error)
{
  gint64 total = till_cart_get_subtotal (cart) + rounding;
  gint64 paid = 0;

  if (!check_not_empty (cart, error))
    return FALSE;
  for (guint i = 0; i < tenders->len; i++)
    {
      const TillSalePayment *tender = g_ptr_array_index (tenders, i);

      if (tender->method == NULL || tender->amount < 0 ||
          till_tender_kind_to_string (tender->kind) == NULL)
        {
          g_set_error (error, TILL_SALE_ERROR, TILL_SALE_ERROR_FAILED,
                       _ ("A tender of the sale is not valid"));
          return FALSE;
        }
      if (tender->kind == TILL_TENDER_KIND_CASH)
        {
          if (tender->tendered < tender->amount)
            return insufficient_cash (error, tender->tendered, tender->amount);
          if (tender->tendered > MAX_TENDERED)
            {
              g_set_error (error, TILL_SALE_ERROR, TILL_SALE_ERROR_FAILED,
                           _ ("The cash amount is too large to be right"));
              return FALSE;
            }
          if (tender->change != tender->tendered - tender->amount)
            {
              g_set_error (error, TILL_SALE_ERROR, TILL_SALE_ERROR_FAILED,
                           _ ("The change does not match the cash handed over"));
              return FALSE;
            }
        }
      else if (tender->change != 0)
        {
          g_set_error (error, TILL_SALE_ERROR, TILL_SALE_ERROR_FAILED,
                       _ ("Only cash gives change"));
          return FALSE;
        }
      paid += tender->amount;
    }
  if (paid < total)
    {
      g_autofree char *rest_text = till_money_format_yuan (total - paid);

      g_set_error (error, TILL_SALE_ERROR, TILL_SALE_ERROR_INSUFFICIENT, _ ("%s is still to pay"),
                   rest_text);
      return FALSE;
    }
  if (paid > total)
    {
      g_set_error (error, TILL_SALE_ERROR, TILL_SALE_ERROR_FAILED,
                   _ ("The tenders pay more than the sale costs"));
      return FALSE;
    }
  return TRUE;
}

static void
set_storage_error (GError **error, GError *cause)
{
  g_set_error (error, TILL_SALE_ERROR, TILL_SALE_ERROR_STORAGE,
               _ ("The sale could not be recorded, nothing was sold: %s"),
               cause != NULL ? cause->message : _ ("unknown error"));
}

/* A commit whose outcome the caller did not learn (it returned an error after the
 * data reached the disk, or the process went down) is retried with the same cart:
 * finish that sale instead of recording it again. */
static TillSale *
finish_recorded_sale (TillCart *cart, TillSale *recorded, GError **error)
{
  TillStore *store = till_cart_get_store (cart);
  g_autoptr (GError) local_error = NULL;

  if (!till_store_begin (store, &local_error) || !_till_cart_delete_journal (cart, &local_error) ||
      !till_store_commit (store, &local_error))
    {
      till_store_rollback (store);
      set_storage_error (error, local_error);
      return NULL;
    }
  _till_cart_reset (cart);
  return g_object_ref (recorded);
}

/* Reads the sale's promotions and each line's shares of them. */
static gboolean
load_promotions (TillSale *self, TillStore *store, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (TillStmt) share_stmt = NULL;
  int rc;

  stmt = till_store_prepare (store,
                             "SELECT code, name, kind, saving, times FROM sale_promotion "
                             "WHERE sale_uuid = ? ORDER BY saving = 0, saving DESC, code",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, self->uuid, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    add_sale_promotion (self, (const char *) sqlite3_column_text (stmt, 0),
                        (const char *) sqlite3_column_text (stmt, 1),
                        (const char *) sqlite3_column_text (stmt, 2),
                        sqlite3_column_int64 (stmt, 3), (guint) sqlite3_column_int64 (stmt, 4));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the sale's promotions"));
      return FALSE;
    }

  share_stmt = till_store_prepare (store,
                                   "SELECT lp.line_no, lp.code, coalesce (sp.name, lp.code), "
                                   "lp.amount FROM sale_line_promotion lp "
                                   "LEFT JOIN sale_promotion sp ON sp.sale_uuid = lp.sale_uuid "
                                   "AND sp.code = lp.code WHERE lp.sale_uuid = ? "
                                   "ORDER BY lp.line_no, sp.saving DESC, lp.code",
                                   error);
  if (share_stmt == NULL)
    return FALSE;
  sqlite3_bind_text (share_stmt, 1, self->uuid, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (share_stmt)) == SQLITE_ROW)
    {
      int              line_no = sqlite3_column_int (share_stmt, 0);
      TillPricingShare share = {
        .code = g_strdup ((const char *) sqlite3_column_text (share_stmt, 1)),
        .name = g_strdup ((const char *) sqlite3_column_text (share_stmt, 2)),
        .amount = sqlite3_column_int64 (share_stmt, 3),
      };

      /* Lines are numbered 1.. in order. */
      if (line_no >= 1 && (guint) line_no <= self->lines->len &&
          g_array_index (self->lines, TillSaleLine, line_no - 1).line_no == line_no)
        g_array_append_val (g_array_index (self->lines, TillSaleLine, line_no - 1).promotions,
                            share);
      else
        {
          g_free (share.code);
          g_free (share.name);
        }
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the sale's promotions"));
      return FALSE;
    }
  return TRUE;
}

#define SALE_COLUMNS                                                                     \
  "SELECT s.uuid, s.receipt_no, s.till_id, s.business_day, s.created_us, s.cashier_id, " \
  "s.cashier_code, s.cashier_name, s.subtotal, s.rounding, s.total, s.item_count, "      \
  "s.journal_seq, j.entry_hash, s.member_id, s.member_masked, s.points_earned, "         \
  "s.points_balance FROM sale s JOIN journal j ON j.seq = s.journal_seq "

static TillSale *
load_sale (TillStore *store, const char *sql, const char *text_key, gint64 int_key, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (TillStmt) line_stmt = NULL;
  g_autoptr (TillStmt) payment_stmt = NULL;
  g_autoptr (TillSale) self = NULL;
  int rc;

  stmt = till_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  if (text_key != NULL)
    sqlite3_bind_text (stmt, 1, text_key, -1, SQLITE_STATIC);
  else if (int_key > 0)
    sqlite3_bind_int64 (stmt, 1, int_key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TILL_SALE_ERROR, TILL_SALE_ERROR_NOT_FOUND, _ ("There is no such sale"));
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the sale"));
      return NULL;
    }

  self = g_object_new (TILL_TYPE_SALE, NULL);
  self->uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  self->receipt_no = sqlite3_column_int64 (stmt, 1);
  self->till_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  self->business_day = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  self->created_us = sqlite3_column_int64 (stmt, 4);
  self->cashier_id = sqlite3_column_int64 (stmt, 5);
  self->cashier_code = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  self->cashier_name = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
  self->subtotal = sqlite3_column_int64 (stmt, 8);
  self->rounding = sqlite3_column_int64 (stmt, 9);
  self->total = sqlite3_column_int64 (stmt, 10);
  self->item_count = sqlite3_column_int64 (stmt, 11);
  self->journal_seq = sqlite3_column_int64 (stmt, 12);
  self->journal_hash = sqlite3_column_bytes (stmt, 13) == TILL_JOURNAL_HASH_LEN
                           ? till_journal_hash_to_hex (sqlite3_column_blob (stmt, 13))
                           : g_strdup ("");
  self->member_id = g_strdup ((const char *) sqlite3_column_text (stmt, 14));
  self->member_masked = g_strdup ((const char *) sqlite3_column_text (stmt, 15));
  self->points_earned = sqlite3_column_int64 (stmt, 16);
  self->points_balance = sqlite3_column_int64 (stmt, 17);
  till_stmt_release (g_steal_pointer (&stmt));

  line_stmt = till_store_prepare (store,
                                  "SELECT line_no, product_id, sku, name, unit, quantity, "
                                  "unit_price, amount, vat_rate, weighed, "
                                  "coalesce(original_price, -1), discount_bp, line_discount, "
                                  "sale_discount, promotion_discount, gift_code FROM sale_line "
                                  "WHERE sale_uuid = ? ORDER BY line_no",
                                  error);
  if (line_stmt == NULL)
    return NULL;
  sqlite3_bind_text (line_stmt, 1, self->uuid, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (line_stmt)) == SQLITE_ROW)
    {
      TillSaleLine line = {
        .line_no = sqlite3_column_int (line_stmt, 0),
        .product_id = sqlite3_column_int64 (line_stmt, 1),
        .sku = g_strdup ((const char *) sqlite3_column_text (line_stmt, 2)),
        .name = g_strdup ((const char *) sqlite3_column_text (line_stmt, 3)),
        .unit = g_strdup ((const char *) sqlite3_column_text (line_stmt, 4)),
        .quantity = sqlite3_column_int64 (line_stmt, 5),
        .unit_price = sqlite3_column_int64 (line_stmt, 6),
        .amount = sqlite3_column_int64 (line_stmt, 7),
        .vat_rate = sqlite3_column_int (line_stmt, 8),
        .weighed = sqlite3_column_int (line_stmt, 9) != 0,
        .original_price = sqlite3_column_int64 (line_stmt, 10),
        .discount_bp = sqlite3_column_int (line_stmt, 11),
        .line_discount = sqlite3_column_int64 (line_stmt, 12),
        .sale_discount = sqlite3_column_int64 (line_stmt, 13),
        .promotion_discount = sqlite3_column_int64 (line_stmt, 14),
        .promotions = till_pricing_shares_new (),
        .gift_code = g_strdup ((const char *) sqlite3_column_text (line_stmt, 15)),
      };

      g_array_append_val (self->lines, line);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the sale lines"));
      return NULL;
    }
  if (!load_promotions (self, store, error))
    return NULL;

  /* The sale's tendered and change are the cash ones (add_payment): an
   * exchange credit or a card is neither handed over nor given back. */
  payment_stmt = till_store_prepare (store,
                                     "SELECT method, amount, tendered, change, reference, kind, "
                                     "account, attempt FROM payment WHERE sale_uuid = ? "
                                     "ORDER BY line_no",
                                     error);
  if (payment_stmt == NULL)
    return NULL;
  sqlite3_bind_text (payment_stmt, 1, self->uuid, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (payment_stmt)) == SQLITE_ROW)
    {
      const char     *kind_name = (const char *) sqlite3_column_text (payment_stmt, 5);
      TillSalePayment payment = {
        .method = (char *) sqlite3_column_text (payment_stmt, 0),
        .kind = TILL_TENDER_KIND_CASH,
        .amount = sqlite3_column_int64 (payment_stmt, 1),
        .tendered = sqlite3_column_int64 (payment_stmt, 2),
        .change = sqlite3_column_int64 (payment_stmt, 3),
        .reference = (char *) sqlite3_column_text (payment_stmt, 4),
        .account = (char *) sqlite3_column_text (payment_stmt, 6),
        .attempt = (char *) sqlite3_column_text (payment_stmt, 7),
      };

      if (!till_tender_kind_from_string (kind_name, &payment.kind))
        g_warning ("Unknown tender kind \"%s\" in sale %s", kind_name, self->uuid);
      add_payment (self, &payment);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the sale's payment"));
      return NULL;
    }
  return g_steal_pointer (&self);
}

static void
till_sale_finalize (GObject *object)
{
  TillSale *self = (TillSale *) object;

  g_free (self->uuid);
  g_free (self->till_id);
  g_free (self->business_day);
  g_free (self->cashier_code);
  g_free (self->cashier_name);
  g_free (self->journal_hash);
  g_free (self->member_id);
  g_free (self->member_masked);
  g_free (self->shift_uuid);
  g_free (self->day_uuid);
  g_clear_pointer (&self->member, till_member_free);
  g_array_unref (self->lines);
  g_array_unref (self->payments);
  g_array_unref (self->promotions);
  g_ptr_array_unref (self->coupons_applied);

  G_OBJECT_CLASS (till_sale_parent_class)->finalize (object);
}

static void
till_sale_class_init (TillSaleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = till_sale_finalize;
}

static void
till_sale_init (TillSale *self)
{
  self->lines = g_array_new (FALSE, TRUE, sizeof (TillSaleLine));
  g_array_set_clear_func (self->lines, clear_sale_line);
  self->payments = g_array_new (FALSE, TRUE, sizeof (TillSalePayment));
  g_array_set_clear_func (self->payments, clear_sale_payment);
  self->promotions = g_array_new (FALSE, TRUE, sizeof (TillSalePromotion));
  g_array_set_clear_func (self->promotions, clear_sale_promotion);
  self->coupons_applied = g_ptr_array_new_with_free_func (g_free);
}

/* A refusal the cashier can act on (a tender refused, nothing to sell, not
 * paid) is passed on as it is; anything else is the database's failure. */
static void
propagate_commit_error (GError **error, GError *cause)
{
  if (cause != NULL && (cause->domain == TILL_SALE_ERROR || cause->domain == TILL_TENDER_ERROR ||
                        cause->domain == TILL_PROMOTION_ERROR ||
                        cause->domain == TILL_LOYALTY_ERROR || cause->domain == TILL_SHIFT_ERROR))
    g_propagate_error (error, g_error_copy (cause));
  else
    set_storage_error (error, cause);
}

/* The sale was recorded by an earlier commit whose outcome the caller did not
 * learn: returns it (after finishing it), or NULL with @error unset when this
 * cart's sale is not recorded yet. */
static TillSale *
check_recorded (TillCart *cart, gboolean *out_failed, GError **error)
{
  g_autoptr (TillSale) recorded = NULL;
  g_autoptr (GError) local_error = NULL;

  *out_failed = FALSE;
  recorded =
      till_sale_load (till_cart_get_store (cart), till_cart_get_sale_uuid (cart), &local_error);
  if (recorded != NULL)
    {
      TillSale *finished = finish_recorded_sale (cart, recorded, error);

      *out_failed = finished == NULL;
      return finished;
    }
  if (!g_error_matches (local_error, TILL_SALE_ERROR, TILL_SALE_ERROR_NOT_FOUND))
    {
      set_storage_error (error, local_error);
      *out_failed = TRUE;
    }
  return NULL;
}

/* Records @cart paid by @tenders in one transaction and starts the next sale. */
static TillSale *
commit_tenders (TillCart    *cart,
                TillPayment *payment,
                TillJournal *journal,
                TillUser    *cashier,
                GPtrArray   *tenders,
                gint64       rounding,
                GError     **error)
{
  TillStore *store = till_cart_get_store (cart);
  g_autoptr (TillSale) self = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!till_store_begin (store, &local_error))
    {
      set_storage_error (error, local_error);
      return NULL;
    }
  self = _till_sale_record (cart, journal, cashier, tenders, rounding, &local_error);
  if (self == NULL || (payment != NULL && !_till_payment_delete_journal (payment, &local_error)) ||
      !till_store_commit (store, &local_error))
    {
      till_store_rollback (store);
      propagate_commit_error (error, local_error);
      return NULL;
    }

  _till_cart_reset (cart);
  return g_steal_pointer (&self);
}

/**
 * till_sale_commit:
 * @cart: the sale to record, not empty
 * @payment: the cart's payment, complete (till_payment_is_complete)
 * @journal: the till's journal, on the cart's store
 * @cashier: who sells
 *
 * Records the cart as a sale paid by @payment's tenders, in one transaction:
 * a receipt number, a signed journal entry, the sale with its lines, every
 * tender (kind, reference, masked account, wallet attempt), each tender's own
 * entry (a QR wallet attempt marked recorded, only when confirmed paid; a
 * stored-value debit against the balance; a voucher redeemed once), stock
 * movements, an outbox row for HQ, and the deletion of the journaled cart and
 * its applied tenders. The sale's rounding and total are the payment's. The
 * sale is on disk when this returns; only then may the drawer open. After a
 * success the cart is empty with a new sale uuid (and @payment follows it);
 * after a failure nothing was written and cart and payment are as they were.
 *
 * Returns: (transfer full): the recorded sale, or %NULL with @error set:
 *   TILL_SALE_ERROR_INSUFFICIENT when the payment is not complete, a
 *   TILL_TENDER_ERROR when a tender's check in the transaction refused
 *   (balance spent, voucher used, wallet payment not confirmed), or
 *   TILL_SALE_ERROR_STORAGE
 */
TillSale *
till_sale_commit (
    TillCart *cart, TillPayment *payment, TillJournal *journal, TillUser *cashier, GError **error)
{
  g_autoptr (GPtrArray) tenders = NULL;
  g_autoptr (GError) local_error = NULL;
  TillSale  *recorded;
  TillStore *store;
  gboolean   failed;

  g_return_val_if_fail (TILL_IS_CART (cart), NULL);
  g_return_val_if_fail (TILL_IS_PAYMENT (payment), NULL);
  g_return_val_if_fail (till_payment_get_cart (payment) == cart, NULL);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (TILL_IS_USER (cashier), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  store = till_cart_get_store (cart);
  g_return_val_if_fail (till_journal_get_store (journal) == store, NULL);
  g_return_val_if_fail (!till_store_in_transaction (store), NULL);

  recorded = check_recorded (cart, &failed, error);
  if (recorded != NULL || failed)
    return recorded;

  if (!check_not_empty (cart, error))
    return NULL;
  /* Record what SQLite holds, not what this object last saw: a wallet
   * payment confirmed in the background writes its cart_tender row itself,
   * and the commit deletes every row of the cart. */
  if (!till_payment_reload (payment, &local_error))
    {
      set_storage_error (error, local_error);
      return NULL;
    }
  if (!till_payment_is_complete (payment))
    {
      gint64 remaining = till_payment_get_remaining (payment);

      if (remaining == 0)
        g_set_error (error, TILL_SALE_ERROR, TILL_SALE_ERROR_FAILED,
                     _ ("The sale changed after it was paid: take a tender off"));
      else
        {
          g_autofree char *rest_text = till_money_format_yuan (remaining);

          g_set_error (error, TILL_SALE_ERROR, TILL_SALE_ERROR_INSUFFICIENT,
                       _ ("%s is still to pay"), rest_text);
        }
      return NULL;
    }

  tenders = g_ptr_array_new_with_free_func ((GDestroyNotify) till_sale_payment_free);
  for (guint i = 0; i < till_payment_get_n_tenders (payment); i++)
    g_ptr_array_add (tenders, till_sale_payment_copy (till_payment_get_tender (payment, i)));
  return commit_tenders (cart, payment, journal, cashier, tenders,
                         till_payment_get_rounding (payment), error);
}

/**
 * till_sale_commit_cash:
 * @cart: the sale to record, not empty
 * @journal: the till's journal, on the cart's store
 * @cashier: who sells
 * @tendered: the cash handed over, in fen, at least what is due in cash
 *
 * Records the cart as a sale paid in cash, in one transaction: a receipt number,
 * a signed journal entry, the sale with its lines, the cash payment with change,
 * stock movements, an outbox row for HQ, and the deletion of the journaled cart.
 * When other tenders were applied to the cart (till-payment.h), the cash pays
 * what they left and the sale records them all (till_sale_commit()). The sale
 * is on disk when this returns; only then may the drawer open. After a success
 * the cart is empty with a new sale uuid; after a failure nothing was written
 * and the cart is as it was.
 *
 * Returns: (transfer full): the recorded sale, or %NULL with @error set
 */
TillSale *
till_sale_commit_cash (
    TillCart *cart, TillJournal *journal, TillUser *cashier, gint64 tendered, GError **error)
{
  g_autoptr (TillPayment) payment = NULL;
  g_autoptr (TillSalePayment) cash = NULL;
  g_autoptr (GPtrArray) tenders = NULL;
  g_autoptr (GError) local_error = NULL;
  TillSale  *recorded;
  TillStore *store;
  gboolean   failed;
  gint64     cash_due;

  g_return_val_if_fail (TILL_IS_CART (cart), NULL);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (TILL_IS_USER (cashier), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  store = till_cart_get_store (cart);
  g_return_val_if_fail (till_journal_get_store (journal) == store, NULL);
  g_return_val_if_fail (!till_store_in_transaction (store), NULL);

  recorded = check_recorded (cart, &failed, error);
  if (recorded != NULL || failed)
    return recorded;

  if (!check_not_empty (cart, error))
    return NULL;
  payment = till_payment_new (cart, &local_error);
  if (payment == NULL)
    {
      set_storage_error (error, local_error);
      return NULL;
    }
  cash_due = till_payment_get_cash_due (payment);
  if (tendered < cash_due)
    {
      insufficient_cash (error, tendered, cash_due);
      return NULL;
    }
  if (tendered > MAX_TENDERED)
    {
      g_set_error (error, TILL_SALE_ERROR, TILL_SALE_ERROR_FAILED,
                   _ ("The cash amount is too large to be right"));
      return NULL;
    }

  /* Nothing else applied: one cash tender in the sale's own transaction, as
   * a cash sale always was, without writing cart_tender first. */
  if (till_payment_get_n_tenders (payment) == 0)
    {
      cash = till_sale_payment_new ("cash", TILL_TENDER_KIND_CASH, cash_due);
      cash->tendered = tendered;
      cash->change = tendered - cash_due;
      tenders = g_ptr_array_new_with_free_func ((GDestroyNotify) till_sale_payment_free);
      g_ptr_array_add (tenders, g_steal_pointer (&cash));
      return commit_tenders (cart, NULL, journal, cashier, tenders,
                             cash_due - till_payment_get_exact (payment), error);
    }

  if (cash_due > 0)
    {
      cash = till_sale_payment_new ("cash", TILL_TENDER_KIND_CASH, cash_due);
      cash->tendered = tendered;
      cash->change = tendered - cash_due;
      if (!till_payment_add (payment, cash, &local_error))
        {
          propagate_commit_error (error, local_error);
          return NULL;
        }
    }
  return till_sale_commit (cart, payment, journal, cashier, error);
}

/**
 * _till_sale_record:
 * @tenders: (element-type TillSalePayment): what pays the sale, in order
 * @rounding: the sale's 抹零 in fen: total = subtotal + @rounding
 *
 * See the header. Runs in the caller's transaction; on failure the caller
 * rolls back.
 *
 * Returns: (transfer full): the recorded sale, or %NULL with @error set
 */
TillSale *
_till_sale_record (TillCart    *cart,
                   TillJournal *journal,
                   TillUser    *cashier,
                   GPtrArray   *tenders,
                   gint64       rounding,
                   GError     **error)
{
  g_autoptr (TillSale) self = NULL;
  g_autofree char *till_id = NULL;
  TillStore       *store;

  g_return_val_if_fail (TILL_IS_CART (cart), NULL);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (TILL_IS_USER (cashier), NULL);
  g_return_val_if_fail (tenders != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  store = till_cart_get_store (cart);
  g_return_val_if_fail (till_store_in_transaction (store), NULL);

  if (!check_tenders (cart, tenders, rounding, error))
    return NULL;

  self = sale_from_cart (cart, cashier);
  self->rounding = rounding;
  self->total = self->subtotal + rounding;
  till_id = till_store_get_setting (store, "till.id");
  self->till_id = g_strdup (till_id != NULL && *till_id != '\0' ? till_id : DEFAULT_TILL_ID);
  self->created_us = g_get_real_time ();
  self->business_day = till_store_business_day (store, self->created_us);
  for (guint i = 0; i < tenders->len; i++)
    add_payment (self, g_ptr_array_index (tenders, i));

  if (!record_sale (self, cart, journal, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * _till_sale_record_exchange:
 * @credit: fen of the returned goods' refund that pays this sale
 * @credit_ref: the return's uuid
 * @tendered: cash handed over for the rest
 *
 * _till_sale_record() with the tenders of an exchange: the credit, then cash
 * for what it does not cover, rounded as the cart rounds a cash sale.
 *
 * Returns: (transfer full): the recorded sale, or %NULL with @error set
 */
TillSale *
_till_sale_record_exchange (TillCart    *cart,
                            TillJournal *journal,
                            TillUser    *cashier,
                            gint64       credit,
                            const char  *credit_ref,
                            gint64       tendered,
                            GError     **error)
{
  g_autoptr (GPtrArray) tenders = NULL;
  gint64 total;
  gint64 cash_due;

  g_return_val_if_fail (TILL_IS_CART (cart), NULL);
  g_return_val_if_fail (credit >= 0, NULL);

  /* A credit larger than the total pays the total; what is left over is the
   * return's to give back. */
  total = till_cart_get_total (cart);
  credit = MIN (credit, total);
  cash_due = total - credit;
  tenders = g_ptr_array_new_with_free_func ((GDestroyNotify) till_sale_payment_free);
  if (credit > 0)
    {
      TillSalePayment *exchange =
          till_sale_payment_new ("exchange", TILL_TENDER_KIND_EXCHANGE, credit);

      exchange->reference = g_strdup (credit_ref);
      g_ptr_array_add (tenders, exchange);
    }
  if (credit == 0 || cash_due > 0 || tendered > 0)
    {
      TillSalePayment *cash = till_sale_payment_new ("cash", TILL_TENDER_KIND_CASH, cash_due);

      cash->tendered = tendered;
      cash->change = tendered - cash_due;
      g_ptr_array_add (tenders, cash);
    }
  return _till_sale_record (cart, journal, cashier, tenders, till_cart_get_rounding (cart), error);
}

/**
 * till_sale_load:
 * @uuid: the sale's uuid
 *
 * Returns: (transfer full): the sale with its lines and payment, or %NULL with
 *   @error set (%TILL_SALE_ERROR_NOT_FOUND when there is no such sale)
 */
TillSale *
till_sale_load (TillStore *store, const char *uuid, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load_sale (store, SALE_COLUMNS "WHERE s.uuid = ?", uuid, 0, error);
}

/* Returns: (transfer full): the sale with receipt number @receipt_no, or %NULL */
TillSale *
till_sale_load_by_receipt (TillStore *store, gint64 receipt_no, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (receipt_no <= 0)
    {
      g_set_error (error, TILL_SALE_ERROR, TILL_SALE_ERROR_NOT_FOUND, _ ("There is no such sale"));
      return NULL;
    }
  return load_sale (store, SALE_COLUMNS "WHERE s.receipt_no = ?", NULL, receipt_no, error);
}

/* Returns: (transfer full): the most recent sale (for reprinting), or %NULL */
TillSale *
till_sale_load_last (TillStore *store, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load_sale (store, SALE_COLUMNS "ORDER BY s.receipt_no DESC LIMIT 1", NULL, 0, error);
}

const char *
till_sale_get_uuid (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), NULL);
  return self->uuid;
}

const char *
till_sale_get_till_id (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), NULL);
  return self->till_id;
}

gint64
till_sale_get_receipt_no (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), 0);
  return self->receipt_no;
}

/* Returns: (transfer full): the receipt number as printed, "T01-00000042" */
char *
till_sale_format_receipt_no (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), NULL);
  return g_strdup_printf ("%s-%08" G_GINT64_FORMAT, self->till_id, self->receipt_no);
}

/* Returns: (transfer full): when the sale was recorded, in local time */
GDateTime *
till_sale_get_created (TillSale *self)
{
  g_autoptr (GDateTime) whole_seconds = NULL;

  g_return_val_if_fail (TILL_IS_SALE (self), NULL);

  whole_seconds = g_date_time_new_from_unix_local (self->created_us / G_USEC_PER_SEC);
  return g_date_time_add (whole_seconds, self->created_us % G_USEC_PER_SEC);
}

const char *
till_sale_get_cashier_code (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), NULL);
  return self->cashier_code;
}

const char *
till_sale_get_cashier_name (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), NULL);
  return self->cashier_name;
}

guint
till_sale_get_n_lines (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), 0);
  return self->lines->len;
}

/* Returns: (transfer none): line @index (0-based) as recorded */
const TillSaleLine *
till_sale_get_line (TillSale *self, guint index)
{
  g_return_val_if_fail (TILL_IS_SALE (self), NULL);
  g_return_val_if_fail (index < self->lines->len, NULL);
  return &g_array_index (self->lines, TillSaleLine, index);
}

gint64
till_sale_get_subtotal (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), 0);
  return self->subtotal;
}

gint64
till_sale_get_rounding (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), 0);
  return self->rounding;
}

gint64
till_sale_get_total (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), 0);
  return self->total;
}

gint64
till_sale_get_tendered (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), 0);
  return self->tendered;
}

gint64
till_sale_get_change (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), 0);
  return self->change;
}

gint64
till_sale_get_item_count (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), 0);
  return self->item_count;
}

gint64
till_sale_get_journal_seq (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), 0);
  return self->journal_seq;
}

const char *
till_sale_get_journal_hash (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), NULL);
  return self->journal_hash;
}

/* Returns: how many tenders paid the sale (1 for a plain cash sale) */
guint
till_sale_get_n_payments (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), 0);
  return self->payments->len;
}

/* Returns: (transfer none): tender @index (0-based), in the order paid */
const TillSalePayment *
till_sale_get_payment (TillSale *self, guint index)
{
  g_return_val_if_fail (TILL_IS_SALE (self), NULL);
  g_return_val_if_fail (index < self->payments->len, NULL);
  return &g_array_index (self->payments, TillSalePayment, index);
}

/* Returns: how many promotions the sale records (applied ones and gifts) */
guint
till_sale_get_n_promotions (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), 0);
  return self->promotions->len;
}

/* Returns: (transfer none): promotion @index: applied ones by saving
 *   (largest first), then code; gifts follow */
const TillSalePromotion *
till_sale_get_promotion (TillSale *self, guint index)
{
  g_return_val_if_fail (TILL_IS_SALE (self), NULL);
  g_return_val_if_fail (index < self->promotions->len, NULL);
  return &g_array_index (self->promotions, TillSalePromotion, index);
}

/* Returns: Σ promotion_discount of the lines, fen */
gint64
till_sale_get_promotion_saving (TillSale *self)
{
  gint64 saving = 0;

  g_return_val_if_fail (TILL_IS_SALE (self), 0);
  for (guint i = 0; i < self->lines->len; i++)
    saving += g_array_index (self->lines, TillSaleLine, i).promotion_discount;
  return saving;
}

/* Returns: (nullable): the sale's member, or %NULL for a sale without one */
const char *
till_sale_get_member_id (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), NULL);
  return self->member_id;
}

/* Returns: (nullable): the member's masked phone ("138****1234") */
const char *
till_sale_get_member_masked (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), NULL);
  return self->member_masked;
}

/* Returns: the points the sale earned its member */
gint64
till_sale_get_points_earned (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), 0);
  return self->points_earned;
}

/* Returns: the member's points balance after the sale */
gint64
till_sale_get_points_balance (TillSale *self)
{
  g_return_val_if_fail (TILL_IS_SALE (self), 0);
  return self->points_balance;
}
