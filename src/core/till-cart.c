/* till-cart.c: the sale being built, journaled to the store on every change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-cart"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-cart.h"
#include "till-catalog.h"
#include "till-journal.h"
#include "till-label-barcode.h"
#include "till-loyalty.h"
#include "till-member.h"
#include "till-permission.h"
#include "till-shift.h"
#include "till-store.h"
#include "till-sync-state.h"
#include "till-user.h"
#include "till-uuid.h"

/* What one sale may hold. Beyond these a keying mistake (a barcode typed into the
 * quantity field, a weight in the wrong unit) is far more likely than a real sale,
 * and the sums stay far from any integer overflow. */
#define MAX_PIECES (99999 * TILL_QUANTITY_ONE) /* 99,999 pieces on one line */
#define MAX_GRAMS (200 * TILL_QUANTITY_ONE)    /* 200 kg on one weighed line */
#define MAX_LINES 999
#define MAX_SUBTOTAL G_GINT64_CONSTANT (100000000) /* ¥1,000,000.00, exclusive */

struct _TillCart
{
  GObject parent_instance;

  TillStore   *store;
  TillCatalog *catalog;

  /* The lines in order, and beside each the key of its cart_line row. Keys only
   * grow, so removing a line never renumbers the rows after it. */
  GPtrArray *lines;
  GArray    *line_keys;
  gint64     next_key;

  char  *sale_uuid;
  gint64 started_us;
  /* Whether the cart row for sale_uuid is in the store. A fresh cart writes it
   * with its first line, so an empty cart costs no write. */
  gboolean journaled;

  /* The scale label templates, parsed from the store setting the last time it
   * read as this text (NULL: the defaults). */
  char      *label_templates_text;
  GPtrArray *label_templates;

  /* The whole-sale discount as set: basis points or fixed fen, at most one of
   * them non-zero; sale_discount is what it comes to in fen, split on lines. */
  int    sale_discount_bp;
  gint64 sale_discount_amount;
  gint64 sale_discount;

  /* Promotions (issue 8): those that may apply in this store (read when a
   * sale starts and on till_cart_reload_promotions), who buys, the coupons
   * presented (their promotions' codes, journaled in cart_coupon) and the
   * last pricing. Gift lines sit after the cashier's lines, with key 0 in
   * line_keys: they are never journaled. gift_products caches the gifts'
   * products by SKU (NULL value: unknown or not sold) until the next load. */
  GPtrArray  *promotions;
  char       *store_id;
  char       *group_id;
  char       *member_id;
  char       *member_tier;
  GHashTable *member_uses;
  GStrv       coupons;
  /* Of the coupons, those issued to one member (till-loyalty.h): the code
   * as member_coupon holds it → its owner. The engine sees them as their
   * promotion's coupon_code (the code without its "-XXXXXX" suffix). */
  GHashTable        *member_coupons;
  TillPricingResult *pricing;
  GHashTable        *gift_products;
  gint64             promotion_saving;
  char              *promotions_generation; /* see promotions_generation () */

  /* Members (issue 9): the key to open a journaled member with, the member
   * attached (journaled in cart.member_id), the promotions membership brings
   * them (till_loyalty_member_promotions) and, while they are attached, the
   * list the engine sees: the store's promotions then theirs, borrowed from
   * both arrays (NULL: the store's list as it is). Built when either
   * changes, never per reprice. */
  TillMemberKey *member_key;
  TillMember    *member;
  GPtrArray     *member_promotions;
  GPtrArray     *priced_promotions;

  TillRounding rounding_rule;
  gint64       subtotal;
  gint64       rounding;
  gint64       total;
  gint64       item_count;
  guint        n_lines;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TillCart,
                               till_cart,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

G_DEFINE_QUARK (till_cart_error_quark, till_cart_error)

enum
{
  PROP_0,
  PROP_SALE_UUID,
  PROP_SUBTOTAL,
  PROP_ROUNDING,
  PROP_TOTAL,
  PROP_ITEM_COUNT,
  PROP_N_LINES,
  PROP_PROMOTION_SAVING,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_REPRICED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static GType
till_cart_get_item_type (GListModel *model)
{
  return TILL_TYPE_CART_LINE;
}

static guint
till_cart_get_n_items (GListModel *model)
{
  return TILL_CART (model)->lines->len;
}

static gpointer
till_cart_get_item (GListModel *model, guint position)
{
  TillCart *self = TILL_CART (model);

  if (position >= self->lines->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->lines, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = till_cart_get_item_type;
  iface->get_n_items = till_cart_get_n_items;
  iface->get_item = till_cart_get_item;
}

static TillCartLine *
line_at (TillCart *self, guint position)
{
  return g_ptr_array_index (self->lines, position);
}

static gint64
key_at (TillCart *self, guint position)
{
  return g_array_index (self->line_keys, gint64, position);
}

/* The number of the cashier's lines: the gift lines follow them. */
static guint
n_bought_lines (TillCart *self)
{
  guint n = self->lines->len;

  while (n > 0 && till_cart_line_get_gift_code (line_at (self, n - 1)) != NULL)
    n--;
  return n;
}

/* Gift lines follow their promotion, never the cashier. */
static gboolean
refuse_gift (TillCart *self, guint position, GError **error)
{
  TillCartLine *line = line_at (self, position);

  if (till_cart_line_get_gift_code (line) == NULL)
    return TRUE;
  g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_GIFT,
               _ ("%s is a gift of a promotion: it comes and goes with the promotion"),
               till_product_get_name (till_cart_line_get_product (line)));
  return FALSE;
}

static void
unref_product (gpointer product)
{
  if (product != NULL)
    g_object_unref (product);
}

static TillPricingResult *
empty_pricing (void)
{
  TillPricingContext context = { 0 };
  g_autoptr (GPtrArray) none = g_ptr_array_new ();

  return till_pricing_compute (NULL, 0, none, &context);
}

/* What the promotions were read from, in a few figures: when none of them
 * changed, the list in memory is still right and a new sale need not parse
 * a thousand promotions again. NULL when it cannot be read. */
static char *
promotions_generation (TillCart *self)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GError) error = NULL;

  stmt = till_store_prepare (
      self->store,
      "SELECT (SELECT count(*) || ':' || coalesce(max(version), 0) FROM master_row "
      "        WHERE channel = 'promotions') || '/' || "
      "       (SELECT count(*) || ':' || coalesce(max(updated_us), 0) FROM promotion) || '/' || "
      "       (SELECT group_concat(key || '=' || value, ';') FROM setting "
      "        WHERE key IN ('sync.store', 'store.group'))",
      &error);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* The promotions the engine sees: the store's, and the member's while one
 * is attached. */
static void
rebuild_priced_promotions (TillCart *self)
{
  g_clear_pointer (&self->priced_promotions, g_ptr_array_unref);
  if (self->member_promotions == NULL || self->member_promotions->len == 0)
    return;
  self->priced_promotions =
      g_ptr_array_sized_new (self->promotions->len + self->member_promotions->len);
  for (guint i = 0; i < self->promotions->len; i++)
    g_ptr_array_add (self->priced_promotions, g_ptr_array_index (self->promotions, i));
  for (guint i = 0; i < self->member_promotions->len; i++)
    g_ptr_array_add (self->priced_promotions, g_ptr_array_index (self->member_promotions, i));
}

/* Reads the promotions of the till's store. A failure leaves the cart
 * selling without promotions: a sale must never wait for them. */
static void
load_promotions (TillCart *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *store_id = NULL;
  g_autofree char *group_id = NULL;
  GPtrArray       *promotions = NULL;

  g_free (self->promotions_generation);
  self->promotions_generation = promotions_generation (self);
  if (till_promotion_read_scope (self->store, &store_id, &group_id, &error))
    promotions = till_promotion_load_all (self->store, store_id, group_id, &error);
  if (promotions == NULL)
    {
      g_message ("Selling without promotions: %s", error != NULL ? error->message : "?");
      promotions = g_ptr_array_new_with_free_func ((GDestroyNotify) till_promotion_free);
    }
  /* The engine's list borrows from the old one: it goes first. */
  g_clear_pointer (&self->priced_promotions, g_ptr_array_unref);
  g_clear_pointer (&self->promotions, g_ptr_array_unref);
  self->promotions = promotions;
  rebuild_priced_promotions (self);
  g_free (self->store_id);
  self->store_id = g_strdup (store_id != NULL ? store_id : "");
  g_free (self->group_id);
  self->group_id = g_steal_pointer (&group_id);
  g_hash_table_remove_all (self->gift_products);
  /* Categories may have come with the same pull as the promotions. */
  _till_catalog_forget_category_codes (self->catalog);
}

/* At the first line (or coupon) of a new sale: read the promotions again
 * only if they changed since they were read. */
static void
refresh_promotions (TillCart *self)
{
  g_autofree char *generation = promotions_generation (self);

  if (generation == NULL || g_strcmp0 (generation, self->promotions_generation) != 0)
    load_promotions (self);
  else
    _till_catalog_forget_category_codes (self->catalog);
}

/* The product a gift gives, or NULL (with a message, once per load) when
 * its SKU is unknown or no longer sold. */
static TillProduct *
gift_product (TillCart *self, const char *sku)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = NULL;
  gpointer cached;

  if (g_hash_table_lookup_extended (self->gift_products, sku, NULL, &cached))
    return cached;
  stmt = till_store_prepare (self->store, "SELECT id FROM product WHERE sku = ?", &error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, sku, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        product = till_catalog_lookup_id (self->catalog, sqlite3_column_int64 (stmt, 0), &error);
    }
  if (product != NULL && !till_product_get_active (product))
    {
      g_message ("The gift %s is no longer sold: leaving it out", sku);
      g_clear_object (&product);
    }
  else if (product == NULL)
    g_message ("The gift %s is not in the catalog: leaving it out%s%s", sku,
               error != NULL ? ": " : "", error != NULL ? error->message : "");
  g_hash_table_insert (self->gift_products, g_strdup (sku),
                       product != NULL ? g_object_ref (product) : NULL);
  return product;
}

/* Makes the gift lines after the cashier's lines what the pricing says:
 * the ones still given keep their place and follow the quantity, the others
 * go, new ones are added at the end. */
static void
reconcile_gifts (TillCart *self, guint n_bought)
{
  GPtrArray *gifts = self->pricing->gifts;
  guint      position = n_bought;
  guint      n_lines = self->lines->len;
  guint      g = 0;
  guint      added = 0;
  gint64     no_key = 0;

  for (; g < gifts->len && position < n_lines; g++)
    {
      const TillPricingGift *gift = g_ptr_array_index (gifts, g);
      TillCartLine          *line = line_at (self, position);

      if (gift->quantity <= 0 || gift_product (self, gift->sku) == NULL)
        continue;
      if (g_strcmp0 (till_cart_line_get_gift_code (line), gift->code) != 0 ||
          g_strcmp0 (till_product_get_sku (till_cart_line_get_product (line)), gift->sku) != 0)
        break;
      if (till_cart_line_get_quantity (line) != gift->quantity)
        {
          till_cart_line_set_quantity (line, gift->quantity);
          g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
        }
      position++;
    }
  if (position < n_lines)
    {
      g_ptr_array_remove_range (self->lines, position, n_lines - position);
      g_array_remove_range (self->line_keys, position, n_lines - position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, n_lines - position, 0);
    }
  for (; g < gifts->len; g++)
    {
      const TillPricingGift *gift = g_ptr_array_index (gifts, g);
      TillProduct           *product;

      if (gift->quantity <= 0 || (product = gift_product (self, gift->sku)) == NULL)
        continue;
      g_ptr_array_add (self->lines, _till_cart_line_new_gift (product, gift->quantity, gift->code));
      g_array_append_val (self->line_keys, no_key);
      added++;
    }
  if (added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, 0, added);
}

/* The code the engine matches for @code as presented: a member coupon's
 * promotion coupon_code ("BDAY-7K3Q9Z" → "BDAY"), else @code. */
static char *
pricing_coupon_code (TillCart *self, const char *code)
{
  const char *dash;

  if (!g_hash_table_contains (self->member_coupons, code) || (dash = strrchr (code, '-')) == NULL)
    return g_strdup (code);
  return g_strndup (code, dash - code);
}

static GStrv
pricing_coupon_codes (TillCart *self)
{
  guint n = g_strv_length (self->coupons);
  GStrv codes = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    codes[i] = pricing_coupon_code (self, self->coupons[i]);
  return codes;
}

static void restore_member_coupons (TillCart *self);

/* Prices the cashier's lines that take promotions with the engine, gives
 * each line its shares and brings the gift lines in line. */
static void
reprice (TillCart *self)
{
  guint                       n_bought = n_bought_lines (self);
  g_autofree TillPricingLine *input = g_new0 (TillPricingLine, MAX (n_bought, 1));
  g_autoptr (GPtrArray) categories = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  TillPricingContext context = {
    .local_time = now,
    .store_id = self->store_id,
    .group_id = self->group_id,
    .member_id = self->member_id,
    .member_tier = self->member_tier,
    .coupons = self->coupons,
    .member_uses = self->member_uses,
  };
  g_auto (GStrv) pricing_coupons = NULL;
  guint n_input = 0;
  guint next = 0;

  if (g_hash_table_size (self->member_coupons) > 0)
    {
      pricing_coupons = pricing_coupon_codes (self);
      context.coupons = pricing_coupons;
    }
  for (guint i = 0; i < n_bought; i++)
    {
      TillCartLine *line = line_at (self, i);
      TillProduct  *product = till_cart_line_get_product (line);
      g_autoptr (GError) error = NULL;
      GStrv codes;

      if (!till_cart_line_takes_promotions (line))
        continue;
      codes = till_catalog_get_category_codes (self->catalog,
                                               till_product_get_category_id (product), &error);
      if (error != NULL)
        g_message ("Pricing %s without its categories: %s", till_product_get_sku (product),
                   error->message);
      if (codes != NULL)
        g_ptr_array_add (categories, codes);
      input[n_input++] = (TillPricingLine){
        .line_no = i + 1,
        .sku = till_product_get_sku (product),
        .categories = codes,
        .brand = till_product_get_brand (product),
        .quantity = till_cart_line_get_quantity (line),
        .unit_price = till_cart_line_get_unit_price (line),
        .member_price = till_product_get_member_price (product),
        .weighed = till_product_get_weighed (product),
        .manual_price = FALSE,
      };
    }

  g_clear_pointer (&self->pricing, till_pricing_result_free);
  self->pricing = till_pricing_compute (
      input, n_input, self->priced_promotions != NULL ? self->priced_promotions : self->promotions,
      &context);

  /* The result's lines are the input's, in order. */
  for (guint i = 0; i < n_bought; i++)
    {
      TillCartLine                *line = line_at (self, i);
      const TillPricingLineResult *priced = NULL;

      if (next < self->pricing->lines->len)
        {
          priced = g_ptr_array_index (self->pricing->lines, next);
          if (priced->line_no == i + 1)
            next++;
          else
            priced = NULL;
        }
      _till_cart_line_set_promotions (line, priced != NULL && priced->shares->len > 0
                                                ? till_pricing_shares_copy (priced->shares)
                                                : NULL);
    }
  /* An empty cart gets no gifts: there is no sale yet to give them with. */
  if (n_bought == 0 && self->pricing->gifts->len > 0)
    g_ptr_array_set_size (self->pricing->gifts, 0);
  reconcile_gifts (self, n_bought);
}

typedef struct
{
  guint  index;
  gint64 remainder;
} ShareRemainder;

static int
compare_remainders (gconstpointer a, gconstpointer b)
{
  const ShareRemainder *ra = a;
  const ShareRemainder *rb = b;

  if (ra->remainder != rb->remainder)
    return ra->remainder > rb->remainder ? -1 : 1;
  return ra->index < rb->index ? -1 : ra->index > rb->index;
}

/* Splits the whole-sale discount across the lines (the rule is in till-cart.h:
 * largest remainder, so the shares add up to the discount exactly). */
static void
split_sale_discount (TillCart *self)
{
  g_autofree ShareRemainder *remainders = NULL;
  gint64                     base = 0;
  gint64                     discount = 0;
  gint64                     given = 0;
  guint                      n = self->lines->len;

  for (guint i = 0; i < n; i++)
    base += till_cart_line_get_net_before_sale_discount (line_at (self, i));
  if (base > 0 && self->sale_discount_bp > 0)
    discount = till_money_round_half_up (base * self->sale_discount_bp, 10000);
  else if (base > 0 && self->sale_discount_amount > 0)
    discount = MIN (self->sale_discount_amount, base);
  self->sale_discount = discount;

  remainders = g_new0 (ShareRemainder, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      TillCartLine *line = line_at (self, i);
      gint64        weighted = till_cart_line_get_net_before_sale_discount (line) * discount;
      gint64        share = base > 0 ? weighted / base : 0;

      remainders[i].index = i;
      remainders[i].remainder = base > 0 ? weighted % base : 0;
      _till_cart_line_set_sale_discount (line, share);
      given += share;
    }
  if (discount - given > 0)
    {
      qsort (remainders, n, sizeof *remainders, compare_remainders);
      /* The leftover is the sum of the fractional parts, so it is less than the
       * number of lines with a remainder, and no line goes below zero. */
      for (guint k = 0; k < n && given < discount; k++, given++)
        {
          TillCartLine *line = line_at (self, remainders[k].index);

          _till_cart_line_set_sale_discount (line, till_cart_line_get_sale_discount (line) + 1);
        }
    }
  g_assert (given == discount);
}

/* Recomputes the totals from the lines and notifies what changed. */
static void
update_totals (TillCart *self)
{
  gint64 subtotal = 0;
  gint64 item_count = 0;
  gint64 promotion_saving = 0;
  gint64 total;

  reprice (self);
  split_sale_discount (self);
  for (guint i = 0; i < self->lines->len; i++)
    {
      TillCartLine *line = line_at (self, i);

      subtotal += till_cart_line_get_amount (line);
      promotion_saving += till_cart_line_get_promotion_discount (line);
      if (till_product_get_weighed (till_cart_line_get_product (line)))
        item_count += 1;
      else
        item_count += till_cart_line_get_quantity (line) / TILL_QUANTITY_ONE;
    }
  total = till_money_apply_rounding (subtotal, self->rounding_rule);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->subtotal != subtotal)
    {
      self->subtotal = subtotal;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBTOTAL]);
    }
  if (self->total != total)
    {
      self->total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
    }
  if (self->rounding != total - subtotal)
    {
      self->rounding = total - subtotal;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROUNDING]);
    }
  if (self->item_count != item_count)
    {
      self->item_count = item_count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM_COUNT]);
    }
  if (self->n_lines != self->lines->len)
    {
      self->n_lines = self->lines->len;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LINES]);
    }
  if (self->promotion_saving != promotion_saving)
    {
      self->promotion_saving = promotion_saving;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROMOTION_SAVING]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit (self, signals[SIGNAL_REPRICED], 0);
}

/* A line's quantity, price or discount changed: list views redraw it, the
 * totals follow. */
static void
line_changed (TillCart *self, guint position)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
  update_totals (self);
}

static void
set_sale_uuid (TillCart *self, char *sale_uuid)
{
  g_free (self->sale_uuid);
  self->sale_uuid = sale_uuid;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SALE_UUID]);
}

/* Empties the cart in memory and starts a new sale (not yet journaled). */
static void
start_new_sale (TillCart *self)
{
  guint n_removed = self->lines->len;

  g_ptr_array_set_size (self->lines, 0);
  g_array_set_size (self->line_keys, 0);
  self->next_key = 1;
  self->journaled = FALSE;
  self->started_us = g_get_real_time ();
  self->sale_discount_bp = 0;
  self->sale_discount_amount = 0;
  g_strfreev (self->coupons);
  self->coupons = g_new0 (char *, 1);
  g_hash_table_remove_all (self->member_coupons);
  g_clear_pointer (&self->member_id, g_free);
  g_clear_pointer (&self->member_tier, g_free);
  g_clear_pointer (&self->member_uses, g_hash_table_unref);
  /* A new sale starts without a member. */
  g_clear_pointer (&self->priced_promotions, g_ptr_array_unref);
  g_clear_pointer (&self->member_promotions, g_ptr_array_unref);
  g_clear_pointer (&self->member, till_member_free);

  g_object_freeze_notify (G_OBJECT (self));
  set_sale_uuid (self, till_uuid_v7_new ());
  if (n_removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n_removed, 0);
  update_totals (self);
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
check_quantity (TillProduct *product, gint64 quantity, GError **error)
{
  if (quantity <= 0)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY,
                   _ ("The quantity must be more than zero"));
      return FALSE;
    }
  if (till_product_get_weighed (product))
    {
      if (quantity > MAX_GRAMS)
        {
          g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY,
                       _ ("%s: a weight of more than %d kg cannot be right"),
                       till_product_get_name (product), MAX_GRAMS / TILL_QUANTITY_ONE);
          return FALSE;
        }
      return TRUE;
    }
  if (quantity % TILL_QUANTITY_ONE != 0)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY,
                   _ ("%s is sold by the piece: the quantity must be a whole number"),
                   till_product_get_name (product));
      return FALSE;
    }
  if (quantity > MAX_PIECES)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY,
                   _ ("%s: more than %d pieces on one line cannot be right"),
                   till_product_get_name (product), MAX_PIECES / TILL_QUANTITY_ONE);
      return FALSE;
    }
  return TRUE;
}

/* Checks that a line of @quantity at @unit_price, replacing one worth
 * @old_amount, keeps the sale under the cap; gives the new line amount. */
static gboolean
check_sale_size (TillCart *self,
                 gint64    unit_price,
                 gint64    quantity,
                 gint64    old_amount,
                 gint64   *out_amount,
                 GError  **error)
{
  gint64 amount;

  /* The quantity is at most MAX_PIECES, so this keeps unit_price × quantity
   * inside a gint64 before till_money_line_amount() multiplies. */
  if (unit_price < 0 || unit_price > G_MAXINT64 / MAX_PIECES)
    goto too_large;
  amount = till_money_line_amount (unit_price, quantity);
  if (amount < 0 || amount >= MAX_SUBTOTAL || self->subtotal - old_amount + amount >= MAX_SUBTOTAL)
    goto too_large;
  *out_amount = amount;
  return TRUE;

too_large:
  g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_TOO_LARGE,
               _ ("The sale would come to ¥1,000,000 or more; split it into several sales"));
  return FALSE;
}

/* Every journal write runs in its own transaction, unless the caller already
 * holds one (then it is part of the caller's). */
/* Undoes a journal write that failed and says, in the cashier's words, what it
 * means: the screen did not change either. */
static gboolean
change_failed (TillCart *self, gboolean own, GError **error)
{
  if (own)
    till_store_rollback (self->store);
  g_prefix_error (error, _ ("The till cannot save to its database, so nothing was changed: "));
  return FALSE;
}

static gboolean
change_begin (TillCart *self, gboolean *out_own, GError **error)
{
  *out_own = !till_store_in_transaction (self->store);
  return !*out_own || till_store_begin (self->store, error) || change_failed (self, FALSE, error);
}

static gboolean
change_commit (TillCart *self, gboolean own, GError **error)
{
  return !own || till_store_commit (self->store, error);
}

/* Writes the cart row for the current sale if it is not there yet, dropping any
 * journaled lines left behind by a cart that was never restored. */
static gboolean
journal_start (TillCart *self, GError **error)
{
  g_autoptr (TillStmt) delete_lines = NULL;
  g_autoptr (TillStmt) delete_coupons = NULL;
  g_autoptr (TillStmt) put_cart = NULL;

  if (self->journaled)
    return TRUE;

  delete_lines = till_store_prepare (self->store, "DELETE FROM cart_line", error);
  if (delete_lines == NULL || !till_store_step_done (self->store, delete_lines, error))
    return FALSE;
  if (sqlite3_changes (till_store_get_db (self->store)) > 0)
    g_debug ("Dropped journaled cart lines of a cart that was not restored");
  delete_coupons = till_store_prepare (self->store, "DELETE FROM cart_coupon", error);
  if (delete_coupons == NULL || !till_store_step_done (self->store, delete_coupons, error))
    return FALSE;

  put_cart = till_store_prepare (self->store,
                                 "INSERT OR REPLACE INTO cart (id, sale_uuid, started_us) "
                                 "VALUES (1, ?, ?)",
                                 error);
  if (put_cart == NULL)
    return FALSE;
  sqlite3_bind_text (put_cart, 1, self->sale_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (put_cart, 2, self->started_us);
  return till_store_step_done (self->store, put_cart, error);
}

static gboolean
journal_insert_line (TillCart    *self,
                     gint64       key,
                     TillProduct *product,
                     gint64       quantity,
                     gint64       unit_price,
                     GError     **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gboolean own;

  if (!change_begin (self, &own, error))
    return FALSE;
  if (!journal_start (self, error))
    goto failed;
  stmt = till_store_prepare (self->store,
                             "INSERT INTO cart_line (position, product_id, quantity, unit_price) "
                             "VALUES (?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, key);
  sqlite3_bind_int64 (stmt, 2, till_product_get_id (product));
  sqlite3_bind_int64 (stmt, 3, quantity);
  sqlite3_bind_int64 (stmt, 4, unit_price);
  if (!till_store_step_done (self->store, stmt, error) || !change_commit (self, own, error))
    goto failed;
  return TRUE;

failed:
  return change_failed (self, own, error);
}

static gboolean
journal_set_quantity (TillCart *self, gint64 key, gint64 quantity, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gboolean own;

  if (!change_begin (self, &own, error))
    return FALSE;
  stmt = till_store_prepare (self->store, "UPDATE cart_line SET quantity = ? WHERE position = ?",
                             error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, quantity);
  sqlite3_bind_int64 (stmt, 2, key);
  if (!till_store_step_done (self->store, stmt, error))
    goto failed;
  if (sqlite3_changes (till_store_get_db (self->store)) != 1)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_FAILED,
                   _ ("The journaled cart does not match the cart on screen"));
      goto failed;
    }
  if (!change_commit (self, own, error))
    goto failed;
  return TRUE;

failed:
  return change_failed (self, own, error);
}

/* Deletes one line's row, or all of them when @key is 0. */
static gboolean
journal_delete_lines (TillCart *self, gint64 key, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gboolean own;

  if (!change_begin (self, &own, error))
    return FALSE;
  if (key > 0)
    {
      stmt = till_store_prepare (self->store, "DELETE FROM cart_line WHERE position = ?", error);
      if (stmt != NULL)
        sqlite3_bind_int64 (stmt, 1, key);
    }
  else
    stmt = till_store_prepare (self->store, "DELETE FROM cart_line", error);
  if (stmt == NULL || !till_store_step_done (self->store, stmt, error) ||
      !change_commit (self, own, error))
    return change_failed (self, own, error);
  return TRUE;
}

static gboolean
sale_exists (TillCart *self, const char *sale_uuid, gboolean *out_exists, GError **error)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (self->store, "SELECT 1 FROM sale WHERE uuid = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sale_uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      till_store_set_error (self->store, error, _ ("Cannot read the sales"));
      return FALSE;
    }
  *out_exists = rc == SQLITE_ROW;
  return TRUE;
}

/* How often the member used each promotion in their earlier sales (code →
 * applications, for per_member_limit), or NULL when that cannot be read:
 * the engine then sees no uses, and the sale says why in the log. */
static GHashTable *
read_member_uses (TillCart *self, const char *member_id)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) uses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  int rc;

  /* An application is one "times" of a sale_promotion row: the engine caps
   * a sale's applications at what the limit leaves. */
  stmt = till_store_prepare (self->store,
                             "SELECT p.code, sum(p.times) FROM sale_promotion p "
                             "JOIN sale s ON s.uuid = p.sale_uuid WHERE s.member_id = ? "
                             "GROUP BY p.code",
                             &error);
  if (stmt == NULL)
    {
      g_message ("Pricing for member %s without their earlier uses: %s", member_id, error->message);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (
        uses, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
        GINT_TO_POINTER ((int) CLAMP (sqlite3_column_int64 (stmt, 1), 0, G_MAXINT)));
  if (rc != SQLITE_DONE)
    {
      g_message ("Pricing for member %s without their earlier uses: %s", member_id,
                 sqlite3_errmsg (till_store_get_db (self->store)));
      return NULL;
    }
  return g_steal_pointer (&uses);
}

/* The promotions membership brings @member now, or NULL (with a message)
 * when the store's rules cannot be read: the sale goes on without them. */
static GPtrArray *
member_promotions (TillCart *self, const TillMember *member)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillLoyaltyRules) rules = till_loyalty_rules_load (self->store, &error);
  g_autoptr (GDateTime) now = NULL;

  if (rules == NULL)
    {
      g_message ("Selling to member %s without member promotions: %s", member->id, error->message);
      return NULL;
    }
  now = g_date_time_new_now_local ();
  return till_loyalty_member_promotions (rules, member, now);
}

/* Makes @member (transfer full, nullable) the sale's member in memory: their
 * promotions join the store's and the engine's context follows them. The
 * caller prices the cart again. */
static void
set_attached_member (TillCart *self, TillMember *member)
{
  g_clear_pointer (&self->priced_promotions, g_ptr_array_unref);
  g_clear_pointer (&self->member_promotions, g_ptr_array_unref);
  g_clear_pointer (&self->member, till_member_free);
  g_clear_pointer (&self->member_id, g_free);
  g_clear_pointer (&self->member_tier, g_free);
  g_clear_pointer (&self->member_uses, g_hash_table_unref);
  if (member == NULL)
    return;

  self->member = member;
  self->member_id = g_strdup (member->id);
  self->member_tier = g_strdup (member->tier);
  self->member_uses = read_member_uses (self, member->id);
  self->member_promotions = member_promotions (self, member);
  rebuild_priced_promotions (self);
}

/* Writes the sale's member (NULL: none) to the journaled cart, in its own
 * transaction; attaching to an empty cart starts the journaled cart like a
 * first line does. */
static gboolean
journal_member (TillCart *self, const char *member_id, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gboolean own;

  if (member_id == NULL && !self->journaled)
    return TRUE;
  if (!change_begin (self, &own, error))
    return FALSE;
  if (member_id != NULL && !journal_start (self, error))
    goto failed;
  stmt = till_store_prepare (self->store, "UPDATE cart SET member_id = ? WHERE id = 1", error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  if (!till_store_step_done (self->store, stmt, error) || !change_commit (self, own, error))
    goto failed;
  return TRUE;

failed:
  return change_failed (self, own, error);
}

/* The journaled cart's member, or NULL (with a message) when they cannot be
 * loaded any more: erased on request, unknown here, or no key to open them. */
static TillMember *
restore_member (TillCart *self, const char *member_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillMember) member = NULL;

  if (self->member_key == NULL)
    {
      g_message ("The journaled cart's member %s is dropped: the till has no member key",
                 member_id);
      return NULL;
    }
  member = till_member_load (self->store, self->member_key, member_id, &error);
  if (member == NULL)
    {
      g_message ("The journaled cart's member %s is dropped: %s", member_id, error->message);
      return NULL;
    }
  if (member->erased)
    {
      g_message ("The journaled cart's member %s is dropped: their data was erased", member_id);
      return NULL;
    }
  return g_steal_pointer (&member);
}

static void
till_cart_dispose (GObject *object)
{
  TillCart *self = (TillCart *) object;

  if (self->lines != NULL)
    g_ptr_array_set_size (self->lines, 0);
  if (self->gift_products != NULL)
    g_hash_table_remove_all (self->gift_products);
  g_clear_object (&self->catalog);
  g_clear_object (&self->store);
  g_clear_object (&self->member_key);

  G_OBJECT_CLASS (till_cart_parent_class)->dispose (object);
}

static void
till_cart_finalize (GObject *object)
{
  TillCart *self = (TillCart *) object;

  g_clear_pointer (&self->lines, g_ptr_array_unref);
  g_clear_pointer (&self->line_keys, g_array_unref);
  g_clear_pointer (&self->sale_uuid, g_free);
  g_clear_pointer (&self->label_templates_text, g_free);
  g_clear_pointer (&self->label_templates, g_ptr_array_unref);
  g_clear_pointer (&self->promotions, g_ptr_array_unref);
  g_clear_pointer (&self->store_id, g_free);
  g_clear_pointer (&self->group_id, g_free);
  g_clear_pointer (&self->promotions_generation, g_free);
  g_clear_pointer (&self->member_id, g_free);
  g_clear_pointer (&self->member_tier, g_free);
  g_clear_pointer (&self->member_uses, g_hash_table_unref);
  g_clear_pointer (&self->coupons, g_strfreev);
  g_clear_pointer (&self->member_coupons, g_hash_table_unref);
  g_clear_pointer (&self->pricing, till_pricing_result_free);
  g_clear_pointer (&self->gift_products, g_hash_table_unref);
  g_clear_pointer (&self->priced_promotions, g_ptr_array_unref);
  g_clear_pointer (&self->member_promotions, g_ptr_array_unref);
  g_clear_pointer (&self->member, till_member_free);

  G_OBJECT_CLASS (till_cart_parent_class)->finalize (object);
}

static void
till_cart_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillCart *self = TILL_CART (object);

  switch (prop_id)
    {
    case PROP_SALE_UUID:
      g_value_set_string (value, self->sale_uuid);
      break;
    case PROP_SUBTOTAL:
      g_value_set_int64 (value, self->subtotal);
      break;
    case PROP_ROUNDING:
      g_value_set_int64 (value, self->rounding);
      break;
    case PROP_TOTAL:
      g_value_set_int64 (value, self->total);
      break;
    case PROP_ITEM_COUNT:
      g_value_set_int64 (value, self->item_count);
      break;
    case PROP_N_LINES:
      g_value_set_uint (value, self->lines->len);
      break;
    case PROP_PROMOTION_SAVING:
      g_value_set_int64 (value, self->promotion_saving);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_cart_class_init (TillCartClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = till_cart_dispose;
  object_class->finalize = till_cart_finalize;
  object_class->get_property = till_cart_get_property;

  properties[PROP_SALE_UUID] = g_param_spec_string ("sale-uuid", NULL, NULL, NULL, flags);
  properties[PROP_SUBTOTAL] = g_param_spec_int64 ("subtotal", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /* 抹零 can round down (negative) or, rounding to the jiao, up (positive). */
  properties[PROP_ROUNDING] =
      g_param_spec_int64 ("rounding", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_TOTAL] = g_param_spec_int64 ("total", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_ITEM_COUNT] =
      g_param_spec_int64 ("item-count", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_N_LINES] = g_param_spec_uint ("n-lines", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_PROMOTION_SAVING] =
      g_param_spec_int64 ("promotion-saving", NULL, NULL, 0, G_MAXINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* After every change, once the promotions were applied again. */
  signals[SIGNAL_REPRICED] = g_signal_new ("repriced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
till_cart_init (TillCart *self)
{
  self->lines = g_ptr_array_new_with_free_func (g_object_unref);
  self->line_keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->next_key = 1;
  self->rounding_rule = TILL_ROUNDING_NONE;
  self->coupons = g_new0 (char *, 1);
  self->member_coupons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->pricing = empty_pricing ();
  self->gift_products = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, unref_product);
}

/**
 * till_cart_new:
 * @store: the till's store, where the cart is journaled
 * @catalog: where barcodes and PLUs are looked up
 *
 * Makes an empty cart with a new sale uuid and the store's rounding rule (setting
 * "rounding"). Call till_cart_restore() next to take up a cart the till was
 * working on when it stopped.
 *
 * Returns: (transfer full): the cart
 */
TillCart *
till_cart_new (TillStore *store, TillCatalog *catalog)
{
  TillCart        *self;
  g_autofree char *rule_text = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_CATALOG (catalog), NULL);

  self = g_object_new (TILL_TYPE_CART, NULL);
  self->store = g_object_ref (store);
  self->catalog = g_object_ref (catalog);
  self->sale_uuid = till_uuid_v7_new ();
  self->started_us = g_get_real_time ();

  rule_text = till_store_get_setting (store, "rounding");
  if (rule_text != NULL && !till_rounding_from_string (rule_text, &self->rounding_rule))
    {
      g_debug ("Unknown rounding rule \"%s\" in the settings; rounding nothing", rule_text);
      self->rounding_rule = TILL_ROUNDING_NONE;
    }
  load_promotions (self);
  return self;
}

/**
 * till_cart_restore:
 *
 * Replaces the cart with the one journaled in the store: same sale uuid, same
 * lines, same prices. When no cart is journaled the cart is left empty. A
 * journaled cart whose sale was already recorded (which the sale transaction
 * prevents, but a copied database might not) is discarded rather than sold twice.
 */
gboolean
till_cart_restore (TillCart *self, GError **error)
{
  g_autoptr (TillStmt) cart_stmt = NULL;
  g_autoptr (TillStmt) line_stmt = NULL;
  g_autoptr (TillStmt) coupon_stmt = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  g_autoptr (GPtrArray) coupons = NULL;
  g_autoptr (GArray) keys = NULL;
  g_autofree char *sale_uuid = NULL;
  g_autofree char *member_id = NULL;
  g_autoptr (TillMember) member = NULL;
  gint64   started_us;
  int      sale_discount_bp;
  gint64   sale_discount_amount;
  gboolean sold = FALSE;
  guint    n_removed;
  int      rc;

  g_return_val_if_fail (TILL_IS_CART (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  cart_stmt = till_store_prepare (self->store,
                                  "SELECT sale_uuid, started_us, sale_discount_bp, "
                                  "sale_discount_amount, member_id FROM cart WHERE id = 1",
                                  error);
  if (cart_stmt == NULL)
    return FALSE;
  rc = sqlite3_step (cart_stmt);
  if (rc == SQLITE_DONE)
    {
      if (self->journaled || self->lines->len > 0)
        start_new_sale (self);
      return TRUE;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (self->store, error, _ ("Cannot read the journaled cart"));
      return FALSE;
    }
  sale_uuid = g_strdup ((const char *) sqlite3_column_text (cart_stmt, 0));
  started_us = sqlite3_column_int64 (cart_stmt, 1);
  sale_discount_bp = sqlite3_column_int (cart_stmt, 2);
  sale_discount_amount = sqlite3_column_int64 (cart_stmt, 3);
  member_id = g_strdup ((const char *) sqlite3_column_text (cart_stmt, 4));
  till_stmt_release (g_steal_pointer (&cart_stmt));

  if (!sale_exists (self, sale_uuid, &sold, error))
    return FALSE;
  if (sold)
    {
      gboolean own;

      g_message ("The journaled cart %s was already sold; starting a new sale", sale_uuid);
      if (!change_begin (self, &own, error))
        return FALSE;
      if (!_till_cart_delete_journal (self, error) || !change_commit (self, own, error))
        return change_failed (self, own, error);
      start_new_sale (self);
      return TRUE;
    }

  lines = g_ptr_array_new_with_free_func (g_object_unref);
  keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  line_stmt = till_store_prepare (self->store,
                                  "SELECT position, product_id, quantity, unit_price, "
                                  "coalesce(original_price, unit_price), discount_bp "
                                  "FROM cart_line ORDER BY position",
                                  error);
  if (line_stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (line_stmt)) == SQLITE_ROW)
    {
      gint64 key = sqlite3_column_int64 (line_stmt, 0);
      gint64 quantity = sqlite3_column_int64 (line_stmt, 2);
      gint64 unit_price = sqlite3_column_int64 (line_stmt, 3);
      g_autoptr (TillProduct) product = NULL;

      /* By id, active or not: the customer is holding goods that were on sale when
       * they were scanned, even if the product was withdrawn since. */
      product = till_catalog_lookup_id (self->catalog, sqlite3_column_int64 (line_stmt, 1), error);
      if (product == NULL)
        return FALSE;
      g_ptr_array_add (
          lines, till_cart_line_new_full (product, quantity, unit_price,
                                          sqlite3_column_int64 (line_stmt, 4),
                                          CLAMP (sqlite3_column_int (line_stmt, 5), 0, 10000)));
      g_array_append_val (keys, key);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (self->store, error, _ ("Cannot read the journaled cart"));
      return FALSE;
    }
  till_stmt_release (g_steal_pointer (&line_stmt));

  coupons = g_ptr_array_new_with_free_func (g_free);
  coupon_stmt = till_store_prepare (self->store,
                                    "SELECT code FROM cart_coupon ORDER BY added_us, code", error);
  if (coupon_stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (coupon_stmt)) == SQLITE_ROW)
    g_ptr_array_add (coupons, g_strdup ((const char *) sqlite3_column_text (coupon_stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (self->store, error, _ ("Cannot read the journaled cart"));
      return FALSE;
    }
  g_ptr_array_add (coupons, NULL);

  if (member_id != NULL)
    {
      member = restore_member (self, member_id);
      if (member == NULL)
        {
          g_autoptr (GError) drop_error = NULL;

          /* Best effort: the next restore drops them again otherwise. */
          self->journaled = TRUE;
          if (!journal_member (self, NULL, &drop_error))
            g_message ("The dropped member stays in the journaled cart: %s", drop_error->message);
        }
    }

  /* Everything is read: only now replace what is in memory. */
  n_removed = self->lines->len;
  g_clear_pointer (&self->lines, g_ptr_array_unref);
  g_clear_pointer (&self->line_keys, g_array_unref);
  self->lines = g_steal_pointer (&lines);
  self->line_keys = g_steal_pointer (&keys);
  self->next_key = self->line_keys->len > 0 ? key_at (self, self->line_keys->len - 1) + 1 : 1;
  self->journaled = TRUE;
  self->started_us = started_us;
  self->sale_discount_bp = CLAMP (sale_discount_bp, 0, 10000);
  self->sale_discount_amount = MAX (sale_discount_amount, 0);
  g_strfreev (self->coupons);
  self->coupons = (GStrv) g_ptr_array_free (g_steal_pointer (&coupons), FALSE);
  set_attached_member (self, g_steal_pointer (&member));
  restore_member_coupons (self);

  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->sale_uuid, sale_uuid) != 0)
    set_sale_uuid (self, g_steal_pointer (&sale_uuid));
  if (n_removed > 0 || self->lines->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n_removed, self->lines->len);
  update_totals (self);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

/* Returns: (transfer none): the store the cart is journaled in */
TillStore *
till_cart_get_store (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  return self->store;
}

/* Returns: (transfer none): the catalog the cart looks products up in */
TillCatalog *
till_cart_get_catalog (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  return self->catalog;
}

/* Returns: the uuid the sale will be recorded under */
const char *
till_cart_get_sale_uuid (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  return self->sale_uuid;
}

/* Adds a new line of @quantity at @unit_price (checked: the caller checked the
 * product and the quantity). */
static TillCartLine *
append_line (
    TillCart *self, TillProduct *product, gint64 quantity, gint64 unit_price, GError **error)
{
  g_autoptr (TillCartLine) new_line = NULL;
  gint64 amount;
  gint64 key;
  guint  position;

  if (self->lines->len >= MAX_LINES)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_TOO_LARGE,
                   _ ("A sale can have at most %d lines; split it into several sales"), MAX_LINES);
      return NULL;
    }
  /* The first line starts a new sale: the store may have stopped new sales
   * until the till syncs (a sale under way is never stopped). */
  position = n_bought_lines (self);
  if (position == 0 && !till_sync_allow_new_sale (self->store, g_get_real_time (), error))
    return NULL;
  if (position == 0 && self->coupons[0] == NULL)
    refresh_promotions (self);
  if (!check_sale_size (self, unit_price, quantity, 0, &amount, error))
    return NULL;

  key = self->next_key;
  if (!journal_insert_line (self, key, product, quantity, unit_price, error))
    return NULL;
  self->journaled = TRUE;
  self->next_key = key + 1;

  /* The cashier's lines come first, the gifts after them. */
  new_line = till_cart_line_new (product, quantity, unit_price);
  g_ptr_array_insert (self->lines, (gint) position, g_object_ref (new_line));
  g_array_insert_val (self->line_keys, position, key);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  update_totals (self);
  return new_line;
}

/* The store's scale label templates: the setting is read on every scan (one
 * cached statement) so a change in the back office applies at once, and parsed
 * again only when it changed. A setting that cannot be read as templates is
 * reported and the defaults apply, so ordinary barcodes keep selling. */
static GPtrArray *
label_templates (TillCart *self)
{
  g_autofree char *text = till_store_get_setting (self->store, TILL_LABEL_BARCODE_SETTING);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) parsed = NULL;

  if (text != NULL && *g_strstrip (text) == '\0')
    g_clear_pointer (&text, g_free);
  if (self->label_templates != NULL && g_strcmp0 (text, self->label_templates_text) == 0)
    return self->label_templates;

  if (text != NULL && (parsed = till_label_templates_parse (text, &error)) == NULL)
    g_message ("Using the default label barcode templates: %s", error->message);
  if (parsed == NULL)
    parsed = till_label_templates_parse (till_label_barcode_default_templates, NULL);
  g_assert (parsed != NULL);

  g_clear_pointer (&self->label_templates, g_ptr_array_unref);
  g_free (self->label_templates_text);
  self->label_templates = g_steal_pointer (&parsed);
  self->label_templates_text = g_steal_pointer (&text);
  return self->label_templates;
}

/* The product of a label's item code: scales print the PLU zero-padded to the
 * field ("08001"), the catalog may hold it without the zeros ("8001"). */
static TillProduct *
lookup_label_plu (TillCart *self, const TillLabelBarcode *label, const char *code, GError **error)
{
  g_autoptr (GError) lookup_error = NULL;
  const char  *plu = label->plu;
  TillProduct *product;

  while (TRUE)
    {
      product = till_catalog_lookup_plu (self->catalog, plu, &lookup_error);
      if (product != NULL)
        return product;
      if (!g_error_matches (lookup_error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&lookup_error));
          return NULL;
        }
      g_clear_error (&lookup_error);
      if (plu[0] != '0' || plu[1] == '\0')
        break;
      while (plu[0] == '0' && plu[1] != '\0')
        plu++;
    }
  g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND,
               _ ("No product has the PLU %s printed on the scale label %s"), label->plu, code);
  return NULL;
}

/* A unit price at which @quantity comes to exactly @amount, preferring
 * @preferred (the catalog price); -1 when none does. Each step of the unit
 * price moves the amount by quantity/1000 fen, so one exists whenever the
 * quantity is at most 1 (kg or piece). */
static gint64
unit_price_for_amount (gint64 amount, gint64 quantity, gint64 preferred)
{
  gint64 nearest;

  if (preferred >= 0 && till_money_line_amount (preferred, quantity) == amount)
    return preferred;
  nearest = (amount * TILL_QUANTITY_ONE + quantity / 2) / quantity;
  for (gint64 u = MAX (nearest - 1, 0); u <= nearest + 1; u++)
    if (till_money_line_amount (u, quantity) == amount)
      return u;
  return -1;
}

/* How far (grams) a weight may move to reach the label's amount exactly when no
 * unit price does at the printed weight: only over 1 kg, by a few grams. */
#define MAX_LABEL_DRIFT 20

/* Adds what a price-embedded label says. The line is (quantity, unit price) as
 * every line is, and its amount must be the label's to the fen, since that is
 * what the customer saw and agreed to (DEVICES.md §3: trust the amount):
 * - the quantity is the label's weight, or amount ÷ catalog unit price when the
 *   label has none ([S19b]), rounded to the gram;
 * - the unit price is the catalog price when that gives the label's amount,
 *   otherwise the unit price nearest to amount ÷ quantity that does (the scale
 *   may price differently: a markdown, a price changed since the label);
 * - over 1 kg no unit price may hit the amount exactly; then the weight moves
 *   by a few grams until one does.
 * A price line (one piece at the label's amount) would be exact too, but would
 * record 1 kg of a weighed good, wrong for stock and reports. Counted goods do
 * get such a line when the amount is not a whole number of pieces. */
static TillCartLine *
add_label_amount (TillCart               *self,
                  TillProduct            *product,
                  const TillLabelBarcode *label,
                  GError                **error)
{
  gint64 price = till_product_get_price (product);
  gint64 amount = label->amount;
  gint64 quantity;
  gint64 unit_price = -1;

  if (amount <= 0)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY,
                   _ ("%s: the scale label shows no amount"), till_product_get_name (product));
      return NULL;
    }

  if (!till_product_get_weighed (product))
    {
      if (label->has_quantity && label->quantity > 0)
        quantity = label->quantity;
      else if (price > 0 && amount % price == 0)
        quantity = amount / price * TILL_QUANTITY_ONE;
      else
        quantity = TILL_QUANTITY_ONE;
      if (!check_quantity (product, quantity, error))
        return NULL;
      unit_price = unit_price_for_amount (amount, quantity, price);
      if (unit_price < 0)
        {
          /* Only when the label's count does not divide its amount. */
          quantity = TILL_QUANTITY_ONE;
          unit_price = amount;
        }
      if (unit_price == price)
        return till_cart_add_product (self, product, quantity, error);
      return append_line (self, product, quantity, unit_price, error);
    }

  if (label->has_quantity && label->quantity > 0)
    quantity = label->quantity;
  else
    {
      if (price <= 0)
        {
          g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY,
                       _ ("%s has no price per kg to work out its weight from the label"),
                       till_product_get_name (product));
          return NULL;
        }
      quantity = MAX (till_money_round_half_up (amount * TILL_QUANTITY_ONE, price), 1);
      /* The derived weight is a rounding anyway: a neighbouring gram that keeps
       * the catalog price is better than a changed unit price. */
      for (gint64 step = 0; step <= 4; step++)
        {
          /* quantity, +1, −1, +2, −2: the nearest first. */
          gint64 q = quantity + (step % 2 == 1 ? (step + 1) / 2 : -(step / 2));

          if (q > 0 && till_money_line_amount (price, q) == amount)
            {
              quantity = q;
              break;
            }
        }
    }
  if (!check_quantity (product, quantity, error))
    return NULL;

  for (gint64 drift = 0; drift <= MAX_LABEL_DRIFT && unit_price < 0; drift++)
    {
      if ((unit_price = unit_price_for_amount (amount, quantity + drift, price)) >= 0)
        quantity += drift;
      else if (quantity - drift > 0 &&
               (unit_price = unit_price_for_amount (amount, quantity - drift, price)) >= 0)
        quantity -= drift;
    }
  if (unit_price < 0 || !check_quantity (product, quantity, error))
    {
      if (unit_price < 0)
        g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY,
                     _ ("%s: the weight and amount on the scale label do not fit together"),
                     till_product_get_name (product));
      return NULL;
    }
  return append_line (self, product, quantity, unit_price, error);
}

/* Adds the product of a scale label with the weight or amount it carries. */
static TillCartLine *
add_label (TillCart *self, GPtrArray *templates, const char *code, GError **error)
{
  g_autoptr (TillLabelBarcode) label = NULL;
  g_autoptr (TillProduct) product = NULL;

  label = till_label_barcode_parse (templates, code, error);
  if (label == NULL)
    return NULL;
  product = lookup_label_plu (self, label, code, error);
  if (product == NULL)
    return NULL;
  if (!till_product_get_active (product))
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_INACTIVE, _ ("%s is no longer sold"),
                   till_product_get_name (product));
      return NULL;
    }
  if (label->has_amount)
    return add_label_amount (self, product, label, error);
  /* A weight label: the weight at the till's price, like a weighing at the till. */
  return till_cart_add_product (self, product, label->quantity, error);
}

/**
 * till_cart_add_product:
 * @product: an active product
 * @quantity: thousandths: pieces × 1000, or grams when weighed
 *
 * Adds @product at its current price. A counted product already in the cart gets
 * @quantity added to its line; a weighed one always gets a line of its own.
 *
 * Returns: (transfer none): the line added or changed, or %NULL with @error set
 */
TillCartLine *
till_cart_add_product (TillCart *self, TillProduct *product, gint64 quantity, GError **error)
{
  gint64 amount;

  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  g_return_val_if_fail (TILL_IS_PRODUCT (product), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!till_product_get_active (product))
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_INACTIVE, _ ("%s is no longer sold"),
                   till_product_get_name (product));
      return NULL;
    }
  if (!check_quantity (product, quantity, error))
    return NULL;

  if (!till_product_get_weighed (product))
    {
      guint n_bought = n_bought_lines (self);

      for (guint i = 0; i < n_bought; i++)
        {
          TillCartLine *line = line_at (self, i);
          gint64        new_quantity;

          /* A line with a price override or a line discount was approved as
           * it stands: another scan of the product gets a line of its own. */
          if (till_product_get_id (till_cart_line_get_product (line)) !=
                  till_product_get_id (product) ||
              till_cart_line_has_price_override (line) ||
              till_cart_line_get_discount_bp (line) != 0)
            continue;

          new_quantity = till_cart_line_get_quantity (line) + quantity;
          if (!check_quantity (product, new_quantity, error) ||
              !check_sale_size (self, till_cart_line_get_unit_price (line), new_quantity,
                                till_cart_line_get_amount (line), &amount, error) ||
              !journal_set_quantity (self, key_at (self, i), new_quantity, error))
            return NULL;

          till_cart_line_set_quantity (line, new_quantity);
          g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 1);
          update_totals (self);
          return line;
        }
    }

  return append_line (self, product, quantity, till_product_get_price (product), error);
}

/**
 * till_cart_add_barcode:
 * @barcode: the scanned code
 *
 * Adds one piece of the product with @barcode. Catalog errors (not found, bad
 * check digit) come back unchanged, for the cashier to read.
 *
 * A code with the length and prefix of one of the store's scale label templates
 * (setting "label-barcode.templates", see till-label-barcode.h) adds the
 * product of the label's PLU with the label's weight or amount, unless the
 * catalog holds that exact code as a product's barcode (in-store codes share
 * the 20–29 prefixes). Label errors: %TILL_LABEL_BARCODE_ERROR_BAD_CHECK and
 * _PRICE_CHECK, %TILL_CATALOG_ERROR_NOT_FOUND naming the PLU.
 *
 * Returns: (transfer none): the line added or changed, or %NULL with @error set
 */
TillCartLine *
till_cart_add_barcode (TillCart *self, const char *barcode, GError **error)
{
  g_autoptr (TillProduct) product = NULL;
  GPtrArray *templates;

  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  g_return_val_if_fail (barcode != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  templates = label_templates (self);
  if (till_label_templates_match_any (templates, barcode))
    {
      g_autoptr (GError) lookup_error = NULL;

      product = till_catalog_lookup_barcode (self->catalog, barcode, &lookup_error);
      if (product == NULL)
        {
          if (!g_error_matches (lookup_error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND) &&
              !g_error_matches (lookup_error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_INVALID))
            {
              g_propagate_error (error, g_steal_pointer (&lookup_error));
              return NULL;
            }
          return add_label (self, templates, barcode, error);
        }
    }
  else
    product = till_catalog_lookup_barcode (self->catalog, barcode, error);
  if (product == NULL)
    return NULL;
  if (till_product_get_weighed (product))
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY,
                   _ ("%s is sold by weight: weigh it and key its PLU"),
                   till_product_get_name (product));
      return NULL;
    }
  return till_cart_add_product (self, product, TILL_QUANTITY_ONE, error);
}

/**
 * till_cart_add_plu:
 * @plu: the product's PLU code
 * @quantity: thousandths: grams for weighed goods, pieces × 1000 otherwise
 *
 * Returns: (transfer none): the line added or changed, or %NULL with @error set
 */
TillCartLine *
till_cart_add_plu (TillCart *self, const char *plu, gint64 quantity, GError **error)
{
  g_autoptr (TillProduct) product = NULL;

  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  g_return_val_if_fail (plu != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  product = till_catalog_lookup_plu (self->catalog, plu, error);
  if (product == NULL)
    return NULL;
  return till_cart_add_product (self, product, quantity, error);
}

/**
 * till_cart_set_quantity:
 * @position: the line's index
 * @quantity: the new quantity in thousandths
 */
gboolean
till_cart_set_quantity (TillCart *self, guint position, gint64 quantity, GError **error)
{
  TillCartLine *line;
  gint64        amount;

  g_return_val_if_fail (TILL_IS_CART (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (position >= self->lines->len)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_NO_LINE, _ ("There is no line %u"),
                   position + 1);
      return FALSE;
    }
  if (!refuse_gift (self, position, error))
    return FALSE;
  line = line_at (self, position);
  if (!check_quantity (till_cart_line_get_product (line), quantity, error) ||
      !check_sale_size (self, till_cart_line_get_unit_price (line), quantity,
                        till_cart_line_get_amount (line), &amount, error))
    return FALSE;
  if (quantity == till_cart_line_get_quantity (line))
    return TRUE;

  if (!journal_set_quantity (self, key_at (self, position), quantity, error))
    return FALSE;
  till_cart_line_set_quantity (line, quantity);
  line_changed (self, position);
  return TRUE;
}

/**
 * till_cart_remove_line:
 * @position: the line's index
 */
gboolean
till_cart_remove_line (TillCart *self, guint position, GError **error)
{
  g_return_val_if_fail (TILL_IS_CART (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (position >= self->lines->len)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_NO_LINE, _ ("There is no line %u"),
                   position + 1);
      return FALSE;
    }
  if (!refuse_gift (self, position, error) ||
      !journal_delete_lines (self, key_at (self, position), error))
    return FALSE;

  g_ptr_array_remove_index (self->lines, position);
  g_array_remove_index (self->line_keys, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  update_totals (self);
  return TRUE;
}

/**
 * till_cart_clear:
 *
 * Removes every line; the sale keeps its uuid.
 */
gboolean
till_cart_clear (TillCart *self, GError **error)
{
  guint n_removed;

  g_return_val_if_fail (TILL_IS_CART (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n_removed = self->lines->len;
  if (n_removed == 0)
    return TRUE;
  if (!journal_delete_lines (self, 0, error))
    return FALSE;

  g_ptr_array_set_size (self->lines, 0);
  g_array_set_size (self->line_keys, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n_removed, 0);
  update_totals (self);
  return TRUE;
}

guint
till_cart_get_n_lines (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), 0);
  return self->lines->len;
}

/* Returns: (transfer none) (nullable): the line at @position, or %NULL */
TillCartLine *
till_cart_get_line (TillCart *self, guint position)
{
  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  if (position >= self->lines->len)
    return NULL;
  return line_at (self, position);
}

/* Returns: the sum of the line amounts, in fen */
gint64
till_cart_get_subtotal (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), 0);
  return self->subtotal;
}

/* Returns: total − subtotal, in fen: what 抹零 took off (negative) or added */
gint64
till_cart_get_rounding (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), 0);
  return self->rounding;
}

/* Returns: what the customer pays, in fen */
gint64
till_cart_get_total (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), 0);
  return self->total;
}

/* Returns: the pieces of counted goods plus one per weighed line */
gint64
till_cart_get_item_count (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), 0);
  return self->item_count;
}

/* Returns: the whole-sale discount in basis points, or 0 */
int
till_cart_get_sale_discount_bp (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), 0);
  return self->sale_discount_bp;
}

/* Returns: the whole-sale discount as a fixed amount in fen, or 0 */
gint64
till_cart_get_sale_discount_amount (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), 0);
  return self->sale_discount_amount;
}

/* Returns: what the whole-sale discount takes off, in fen (the sum of the
 * lines' shares) */
gint64
till_cart_get_sale_discount (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), 0);
  return self->sale_discount;
}

TillRounding
till_cart_get_rounding_rule (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), TILL_ROUNDING_NONE);
  return self->rounding_rule;
}

/**
 * till_cart_set_rounding_rule:
 *
 * Changes the 抹零 rule for this cart (the store setting "rounding" gives the
 * default) and updates the totals.
 */
void
till_cart_set_rounding_rule (TillCart *self, TillRounding rule)
{
  g_return_if_fail (TILL_IS_CART (self));
  g_return_if_fail (rule <= TILL_ROUNDING_ROUND_JIAO);

  if (self->rounding_rule == rule)
    return;
  self->rounding_rule = rule;
  update_totals (self);
}

/**
 * _till_cart_delete_journal:
 *
 * For the sale commit: inside its transaction, deletes the journaled cart, so the
 * sale and the cart it came from never both survive a crash.
 */
gboolean
_till_cart_delete_journal (TillCart *self, GError **error)
{
  g_autoptr (TillStmt) delete_lines = NULL;
  g_autoptr (TillStmt) delete_cart = NULL;
  g_autoptr (TillStmt) delete_coupons = NULL;
  g_autoptr (TillStmt) delete_tenders = NULL;

  g_return_val_if_fail (TILL_IS_CART (self), FALSE);
  g_return_val_if_fail (till_store_in_transaction (self->store), FALSE);

  delete_lines = till_store_prepare (self->store, "DELETE FROM cart_line", error);
  if (delete_lines == NULL || !till_store_step_done (self->store, delete_lines, error))
    return FALSE;
  delete_cart = till_store_prepare (self->store, "DELETE FROM cart", error);
  if (delete_cart == NULL || !till_store_step_done (self->store, delete_cart, error))
    return FALSE;
  delete_coupons = till_store_prepare (self->store, "DELETE FROM cart_coupon", error);
  if (delete_coupons == NULL || !till_store_step_done (self->store, delete_coupons, error))
    return FALSE;
  /* Tenders left on a sale that ends without being recorded (voided, held)
   * are cash, stored value or vouchers: nothing was taken before the sale,
   * the cashier hands cash back. Captured ones were refused before. */
  delete_tenders =
      till_store_prepare (self->store, "DELETE FROM cart_tender WHERE cart_uuid = ?", error);
  if (delete_tenders == NULL)
    return FALSE;
  sqlite3_bind_text (delete_tenders, 1, self->sale_uuid, -1, SQLITE_STATIC);
  return till_store_step_done (self->store, delete_tenders, error);
}

/**
 * _till_cart_check_no_captured:
 *
 * Returns: %TRUE when no card or wallet tender is applied to the cart's sale;
 *   %FALSE with @error set (TILL_CART_ERROR_CAPTURED, or a store error)
 */
gboolean
_till_cart_check_no_captured (TillCart *self, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_CART (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = till_store_prepare (self->store,
                             "SELECT count(*) FROM cart_tender WHERE cart_uuid = ? "
                             "AND kind IN ('card', 'wallet')",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, self->sale_uuid, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (self->store, error, _ ("Cannot read the payment of the sale"));
      return FALSE;
    }
  if (sqlite3_column_int64 (stmt, 0) == 0)
    return TRUE;
  g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_CAPTURED,
               _ ("Take off the card and wallet payments first"));
  return FALSE;
}

/**
 * _till_cart_reset:
 *
 * For the sale commit: after the transaction committed, empties the cart and
 * starts the next sale with a new uuid.
 */
void
_till_cart_reset (TillCart *self)
{
  g_return_if_fail (TILL_IS_CART (self));
  start_new_sale (self);
}

/* Sale control: every act below runs in one transaction that checks the
 * permission, changes the journaled cart and appends the act's journal entry;
 * memory changes only after the commit. */

static void
json_separate (GString *out)
{
  if (out->len > 0 && out->str[out->len - 1] != '{' && out->str[out->len - 1] != '[')
    g_string_append_c (out, ',');
}

static void
json_append_string (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

void
_till_json_add_string (GString *out, const char *key, const char *value)
{
  json_separate (out);
  g_string_append_printf (out, "\"%s\":", key);
  if (value == NULL)
    g_string_append (out, "null");
  else
    json_append_string (out, value);
}

void
_till_json_add_int (GString *out, const char *key, gint64 value)
{
  json_separate (out);
  g_string_append_printf (out, "\"%s\":%" G_GINT64_FORMAT, key, value);
}

void
_till_json_add_user (GString *out, TillUser *user)
{
  _till_json_add_int (out, "user_id", till_user_get_id (user));
  _till_json_add_string (out, "user_code", till_user_get_code (user));
  _till_json_add_string (out, "user_name", till_user_get_name (user));
}

static void
append_line_json (GString *out, TillCartLine *line, guint position)
{
  TillProduct *product = till_cart_line_get_product (line);

  _till_json_add_int (out, "line_no", position + 1);
  _till_json_add_int (out, "product_id", till_product_get_id (product));
  _till_json_add_string (out, "sku", till_product_get_sku (product));
  _till_json_add_string (out, "name", till_product_get_name (product));
  _till_json_add_int (out, "quantity", till_cart_line_get_quantity (line));
  _till_json_add_int (out, "unit_price", till_cart_line_get_unit_price (line));
  _till_json_add_int (out, "original_price", till_cart_line_get_original_price (line));
  _till_json_add_int (out, "discount_bp", till_cart_line_get_discount_bp (line));
  _till_json_add_int (out, "line_discount", till_cart_line_get_line_discount (line));
  _till_json_add_int (out, "sale_discount", till_cart_line_get_sale_discount (line));
  /* Only when there are some, so that entries without promotions read as
   * before. */
  if (till_cart_line_get_promotion_discount (line) != 0)
    _till_json_add_int (out, "promotion_discount", till_cart_line_get_promotion_discount (line));
  if (till_cart_line_get_gift_code (line) != NULL)
    _till_json_add_string (out, "gift_code", till_cart_line_get_gift_code (line));
  _till_json_add_int (out, "amount", till_cart_line_get_amount (line));
}

void
_till_cart_append_lines_json (TillCart *self, GString *out)
{
  json_separate (out);
  g_string_append (out, "\"lines\":[");
  for (guint i = 0; i < self->lines->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, '{');
      append_line_json (out, line_at (self, i), i);
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
}

static gboolean
check_reason (const char *reason, GError **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (reason != NULL ? reason : ""));

  if (*stripped != '\0')
    return TRUE;
  g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_REASON, _ ("Give a reason for this"));
  return FALSE;
}

static gboolean
check_position (TillCart *self, guint position, GError **error)
{
  if (position < self->lines->len)
    return refuse_gift (self, position, error);
  g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_NO_LINE, _ ("There is no line %u"),
               position + 1);
  return FALSE;
}

/* Opens the act's transaction and checks the permission in it. */
static gboolean
act_begin (TillCart           *self,
           TillJournal        *journal,
           TillUser           *user,
           TillPermission      permission,
           gint64              amount,
           const TillOverride *override,
           GError            **error)
{
  if (!till_store_begin (self->store, error))
    return change_failed (self, FALSE, error);
  if (!till_permission_check (self->store, journal, user, permission, amount, override, error))
    {
      till_store_rollback (self->store);
      return FALSE;
    }
  return TRUE;
}

/* Starts the body of the act's journal entry: sale, user, reason. */
static GString *
act_body_new (TillCart *self, TillUser *user, const char *reason)
{
  GString *body = g_string_new ("{");

  _till_json_add_string (body, "sale_uuid", self->sale_uuid);
  _till_json_add_user (body, user);
  _till_json_add_string (body, "reason", reason);
  return body;
}

/* The same, for an act on one line: which line, which product. */
static GString *
act_body_new_for_line (
    TillCart *self, TillUser *user, const char *reason, guint position, TillCartLine *line)
{
  GString *body = act_body_new (self, user, reason);

  _till_json_add_int (body, "line_no", position + 1);
  _till_json_add_int (body, "product_id", till_product_get_id (till_cart_line_get_product (line)));
  return body;
}

/* Appends the journal entry (closing @body) and commits; rolls back on failure. */
static gboolean
act_finish (TillCart *self, TillJournal *journal, const char *kind, GString *body, GError **error)
{
  g_autoptr (GBytes) bytes = NULL;

  g_string_append_c (body, '}');
  bytes = g_string_free_to_bytes (body);
  if (!till_journal_append (journal, kind, self->sale_uuid, g_get_real_time (), bytes, NULL, NULL,
                            error) ||
      !till_store_commit (self->store, error))
    return change_failed (self, TRUE, error);
  return TRUE;
}

static gboolean
act_failed (TillCart *self, GString *body, GError **error)
{
  if (body != NULL)
    g_string_free (body, TRUE);
  till_store_rollback (self->store);
  return FALSE;
}

static gboolean
journal_update_line (TillCart *self, const char *sql, gint64 key, gint64 value, GError **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (self->store, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, value);
  sqlite3_bind_int64 (stmt, 2, key);
  if (!till_store_step_done (self->store, stmt, error))
    return FALSE;
  if (sqlite3_changes (till_store_get_db (self->store)) != 1)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_FAILED,
                   _ ("The journaled cart does not match the cart on screen"));
      return FALSE;
    }
  return TRUE;
}

/* A void counts in the shift's and the day's totals (till-shift.h) and its
 * journal entry names them. Allowed while the shift is being closed: a void
 * only clears the till for the close. */
static gboolean
tally_void (TillCart *self, GString *body, const char *metric, gint64 amount, GError **error)
{
  g_autofree char *shift_uuid = NULL;
  g_autofree char *day_uuid = NULL;

  if (!_till_shift_attach_while_closing (self->store, &shift_uuid, &day_uuid, error) ||
      !_till_shift_tally (self->store, shift_uuid, day_uuid, metric, 1, amount, error))
    return FALSE;
  _till_json_add_string (body, "shift_uuid", shift_uuid);
  _till_json_add_string (body, "day_uuid", day_uuid);
  return TRUE;
}

#define ACT_PRECONDITIONS(self, journal, user)                                       \
  G_STMT_START                                                                       \
  {                                                                                  \
    g_return_val_if_fail (TILL_IS_CART (self), FALSE);                               \
    g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);                         \
    g_return_val_if_fail (till_journal_get_store (journal) == (self)->store, FALSE); \
    g_return_val_if_fail (TILL_IS_USER (user), FALSE);                               \
    g_return_val_if_fail (!till_store_in_transaction ((self)->store), FALSE);        \
    g_return_val_if_fail (error == NULL || *error == NULL, FALSE);                   \
  }                                                                                  \
  G_STMT_END

/**
 * till_cart_void_line:
 * @position: the line's index
 * @reason: why, required (a reason code or the cashier's words)
 * @override: (nullable): a supervisor's approval when @user lacks the permission
 *
 * Voids a line with %TILL_PERMISSION_VOID_LINE: it leaves the cart and a
 * "void-line" journal entry records what it was, who voided it and why.
 */
gboolean
till_cart_void_line (TillCart           *self,
                     TillJournal        *journal,
                     TillUser           *user,
                     guint               position,
                     const char         *reason,
                     const TillOverride *override,
                     GError            **error)
{
  GString *body;

  ACT_PRECONDITIONS (self, journal, user);

  if (!check_position (self, position, error) || !check_reason (reason, error))
    return FALSE;
  if (!act_begin (self, journal, user, TILL_PERMISSION_VOID_LINE, 0, override, error))
    return FALSE;
  body = act_body_new (self, user, reason);
  g_string_append (body, ",\"line\":{");
  append_line_json (body, line_at (self, position), position);
  g_string_append_c (body, '}');
  if (!tally_void (self, body, "void-line", till_cart_line_get_amount (line_at (self, position)),
                   error) ||
      !journal_delete_lines (self, key_at (self, position), error))
    return act_failed (self, body, error);
  if (!act_finish (self, journal, "void-line", body, error))
    return FALSE;

  g_ptr_array_remove_index (self->lines, position);
  g_array_remove_index (self->line_keys, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  update_totals (self);
  return TRUE;
}

/**
 * till_cart_void_sale:
 * @reason: why, required
 * @override: (nullable): a supervisor's approval
 *
 * Voids the whole sale before payment with %TILL_PERMISSION_VOID_SALE: a
 * "void-sale" entry records every line and the totals; the cart is emptied and
 * the next sale gets a new uuid.
 */
gboolean
till_cart_void_sale (TillCart           *self,
                     TillJournal        *journal,
                     TillUser           *user,
                     const char         *reason,
                     const TillOverride *override,
                     GError            **error)
{
  GString *body;

  ACT_PRECONDITIONS (self, journal, user);

  if (self->lines->len == 0)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_EMPTY, _ ("There is no sale to void"));
      return FALSE;
    }
  if (!check_reason (reason, error) || !_till_cart_check_no_captured (self, error))
    return FALSE;
  if (!act_begin (self, journal, user, TILL_PERMISSION_VOID_SALE, 0, override, error))
    return FALSE;
  body = act_body_new (self, user, reason);
  _till_cart_append_lines_json (self, body);
  _till_json_add_int (body, "sale_discount", self->sale_discount);
  _till_json_add_int (body, "subtotal", self->subtotal);
  _till_json_add_int (body, "total", self->total);
  if (!tally_void (self, body, "void-sale", self->total, error) ||
      !_till_cart_delete_journal (self, error))
    return act_failed (self, body, error);
  if (!act_finish (self, journal, "void-sale", body, error))
    return FALSE;

  start_new_sale (self);
  return TRUE;
}

/**
 * till_cart_override_price:
 * @unit_price: the new unit price in fen (per kg when weighed)
 * @reason: why, required
 *
 * Changes a line's unit price with %TILL_PERMISSION_PRICE_OVERRIDE; the amount
 * checked against the user's limit is |@unit_price − the original price| in fen.
 * The line keeps its original price for the receipt and the sale record.
 */
gboolean
till_cart_override_price (TillCart           *self,
                          TillJournal        *journal,
                          TillUser           *user,
                          guint               position,
                          gint64              unit_price,
                          const char         *reason,
                          const TillOverride *override,
                          GError            **error)
{
  TillCartLine *line;
  gint64        old_price;
  gint64        amount;
  GString      *body;

  ACT_PRECONDITIONS (self, journal, user);

  if (!check_position (self, position, error) || !check_reason (reason, error))
    return FALSE;
  line = line_at (self, position);
  if (unit_price < 0)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_DISCOUNT,
                   _ ("A price cannot be negative"));
      return FALSE;
    }
  if (!check_sale_size (self, unit_price, till_cart_line_get_quantity (line),
                        till_cart_line_get_amount (line), &amount, error))
    return FALSE;
  old_price = till_cart_line_get_unit_price (line);
  if (!act_begin (self, journal, user, TILL_PERMISSION_PRICE_OVERRIDE,
                  ABS (unit_price - till_cart_line_get_original_price (line)), override, error))
    return FALSE;
  body = act_body_new_for_line (self, user, reason, position, line);
  _till_json_add_string (body, "name", till_product_get_name (till_cart_line_get_product (line)));
  _till_json_add_int (body, "quantity", till_cart_line_get_quantity (line));
  _till_json_add_int (body, "original_price", till_cart_line_get_original_price (line));
  _till_json_add_int (body, "old_price", old_price);
  _till_json_add_int (body, "new_price", unit_price);
  if (!journal_update_line (self,
                            "UPDATE cart_line SET unit_price = ?, "
                            "original_price = coalesce(original_price, unit_price) "
                            "WHERE position = ?",
                            key_at (self, position), unit_price, error))
    return act_failed (self, body, error);
  if (!act_finish (self, journal, "price-override", body, error))
    return FALSE;

  _till_cart_line_set_unit_price (line, unit_price);
  line_changed (self, position);
  return TRUE;
}

/**
 * till_cart_set_line_discount:
 * @discount_bp: basis points off the line, 0 (none) to 10000
 * @reason: (nullable): why
 *
 * Sets a line discount with %TILL_PERMISSION_LINE_DISCOUNT, checked against the
 * user's max_line_discount_bp. The discount in fen is the line's gross amount ×
 * @discount_bp / 10000, half-up to the fen.
 */
gboolean
till_cart_set_line_discount (TillCart           *self,
                             TillJournal        *journal,
                             TillUser           *user,
                             guint               position,
                             int                 discount_bp,
                             const char         *reason,
                             const TillOverride *override,
                             GError            **error)
{
  TillCartLine *line;
  GString      *body;

  ACT_PRECONDITIONS (self, journal, user);

  if (!check_position (self, position, error))
    return FALSE;
  if (discount_bp < 0 || discount_bp > 10000)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_DISCOUNT,
                   _ ("A discount must be between 0 and 100 %%"));
      return FALSE;
    }
  line = line_at (self, position);
  if (!act_begin (self, journal, user, TILL_PERMISSION_LINE_DISCOUNT, discount_bp, override, error))
    return FALSE;
  body = act_body_new_for_line (self, user, reason, position, line);
  _till_json_add_string (body, "name", till_product_get_name (till_cart_line_get_product (line)));
  _till_json_add_int (body, "gross_amount", till_cart_line_get_gross_amount (line));
  _till_json_add_int (body, "old_discount_bp", till_cart_line_get_discount_bp (line));
  _till_json_add_int (body, "discount_bp", discount_bp);
  if (!journal_update_line (self, "UPDATE cart_line SET discount_bp = ? WHERE position = ?",
                            key_at (self, position), discount_bp, error))
    return act_failed (self, body, error);
  if (!act_finish (self, journal, "line-discount", body, error))
    return FALSE;

  _till_cart_line_set_discount_bp (line, discount_bp);
  line_changed (self, position);
  return TRUE;
}

static gboolean
set_sale_discount (TillCart           *self,
                   TillJournal        *journal,
                   TillUser           *user,
                   int                 discount_bp,
                   gint64              discount_amount,
                   const char         *reason,
                   const TillOverride *override,
                   GError            **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gint64   base = 0;
  gint64   checked_bp = discount_bp;
  GString *body;

  if (self->lines->len == 0)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_EMPTY,
                   _ ("There is nothing in the sale to discount"));
      return FALSE;
    }
  for (guint i = 0; i < self->lines->len; i++)
    base += till_cart_line_get_net_before_sale_discount (line_at (self, i));
  if (discount_bp < 0 || discount_bp > 10000 || discount_amount < 0 ||
      (discount_amount > 0 && discount_amount > base))
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_DISCOUNT,
                   _ ("A discount must be between nothing and the whole sale"));
      return FALSE;
    }
  /* Rounded up, so that a fixed amount never passes a limit its percentage
   * would not. */
  if (discount_amount > 0)
    checked_bp = (discount_amount * 10000 + base - 1) / base;

  if (!act_begin (self, journal, user, TILL_PERMISSION_SALE_DISCOUNT, checked_bp, override, error))
    return FALSE;
  body = act_body_new (self, user, reason);
  _till_json_add_int (body, "base", base);
  _till_json_add_int (body, "discount_bp", discount_bp);
  _till_json_add_int (body, "discount_amount", discount_amount);
  _till_json_add_int (body, "checked_bp", checked_bp);
  stmt = till_store_prepare (self->store,
                             "UPDATE cart SET sale_discount_bp = ?, sale_discount_amount = ? "
                             "WHERE id = 1",
                             error);
  if (stmt == NULL)
    return act_failed (self, body, error);
  sqlite3_bind_int (stmt, 1, discount_bp);
  sqlite3_bind_int64 (stmt, 2, discount_amount);
  if (!till_store_step_done (self->store, stmt, error))
    return act_failed (self, body, error);
  if (sqlite3_changes (till_store_get_db (self->store)) != 1)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_FAILED,
                   _ ("The journaled cart does not match the cart on screen"));
      return act_failed (self, body, error);
    }
  if (!act_finish (self, journal, "sale-discount", body, error))
    return FALSE;

  self->sale_discount_bp = discount_bp;
  self->sale_discount_amount = discount_amount;
  update_totals (self);
  if (self->lines->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, self->lines->len, self->lines->len);
  return TRUE;
}

/**
 * till_cart_set_sale_discount:
 * @discount_bp: basis points off the whole sale, 0 (none) to 10000
 * @reason: (nullable): why
 *
 * With %TILL_PERMISSION_SALE_DISCOUNT; replaces any whole-sale discount. The
 * split across lines is described in till-cart.h.
 */
gboolean
till_cart_set_sale_discount (TillCart           *self,
                             TillJournal        *journal,
                             TillUser           *user,
                             int                 discount_bp,
                             const char         *reason,
                             const TillOverride *override,
                             GError            **error)
{
  ACT_PRECONDITIONS (self, journal, user);
  return set_sale_discount (self, journal, user, discount_bp, 0, reason, override, error);
}

/**
 * till_cart_set_sale_discount_amount:
 * @amount: fen off the whole sale, 0 (none) up to the sum of the lines
 *
 * Like till_cart_set_sale_discount() with a fixed amount; the permission is
 * checked with the basis points of the current subtotal it comes to, rounded up.
 */
gboolean
till_cart_set_sale_discount_amount (TillCart           *self,
                                    TillJournal        *journal,
                                    TillUser           *user,
                                    gint64              amount,
                                    const char         *reason,
                                    const TillOverride *override,
                                    GError            **error)
{
  ACT_PRECONDITIONS (self, journal, user);
  return set_sale_discount (self, journal, user, 0, amount, reason, override, error);
}

/**
 * till_cart_change_quantity:
 * @quantity: the new quantity in thousandths
 *
 * Like till_cart_set_quantity(), with %TILL_PERMISSION_QUANTITY_CHANGE and a
 * "quantity-change" journal entry (old and new quantity).
 */
gboolean
till_cart_change_quantity (TillCart           *self,
                           TillJournal        *journal,
                           TillUser           *user,
                           guint               position,
                           gint64              quantity,
                           const TillOverride *override,
                           GError            **error)
{
  TillCartLine *line;
  gint64        amount;
  GString      *body;

  ACT_PRECONDITIONS (self, journal, user);

  if (!check_position (self, position, error))
    return FALSE;
  line = line_at (self, position);
  if (!check_quantity (till_cart_line_get_product (line), quantity, error) ||
      !check_sale_size (self, till_cart_line_get_unit_price (line), quantity,
                        till_cart_line_get_amount (line), &amount, error))
    return FALSE;
  if (quantity == till_cart_line_get_quantity (line))
    return TRUE;
  if (!act_begin (self, journal, user, TILL_PERMISSION_QUANTITY_CHANGE, 0, override, error))
    return FALSE;
  body = act_body_new_for_line (self, user, override != NULL ? override->reason : NULL, position,
                                line);
  _till_json_add_int (body, "old_quantity", till_cart_line_get_quantity (line));
  _till_json_add_int (body, "quantity", quantity);
  if (!journal_set_quantity (self, key_at (self, position), quantity, error))
    return act_failed (self, body, error);
  if (!act_finish (self, journal, "quantity-change", body, error))
    return FALSE;

  till_cart_line_set_quantity (line, quantity);
  line_changed (self, position);
  return TRUE;
}

gint64
_till_cart_get_started_us (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), 0);
  return self->started_us;
}

/**
 * _till_cart_write_journal:
 *
 * For resuming a held sale: inside the caller's transaction, replaces the
 * journaled cart with @lines under @sale_uuid. Call till_cart_restore() after
 * the commit.
 */
gboolean
_till_cart_write_journal (TillCart   *self,
                          const char *sale_uuid,
                          gint64      started_us,
                          GPtrArray  *lines,
                          int         sale_discount_bp,
                          gint64      sale_discount_amount,
                          GError    **error)
{
  g_autoptr (TillStmt) put_cart = NULL;

  g_return_val_if_fail (TILL_IS_CART (self), FALSE);
  g_return_val_if_fail (till_store_in_transaction (self->store), FALSE);

  if (!_till_cart_delete_journal (self, error))
    return FALSE;
  put_cart = till_store_prepare (self->store,
                                 "INSERT INTO cart (id, sale_uuid, started_us, sale_discount_bp, "
                                 "sale_discount_amount) VALUES (1, ?, ?, ?, ?)",
                                 error);
  if (put_cart == NULL)
    return FALSE;
  sqlite3_bind_text (put_cart, 1, sale_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (put_cart, 2, started_us);
  sqlite3_bind_int (put_cart, 3, sale_discount_bp);
  sqlite3_bind_int64 (put_cart, 4, sale_discount_amount);
  if (!till_store_step_done (self->store, put_cart, error))
    return FALSE;

  for (guint i = 0; i < lines->len; i++)
    {
      TillCartLine *line = g_ptr_array_index (lines, i);
      g_autoptr (TillStmt) stmt = NULL;

      stmt = till_store_prepare (self->store,
                                 "INSERT INTO cart_line (position, product_id, quantity, "
                                 "unit_price, original_price, discount_bp) "
                                 "VALUES (?, ?, ?, ?, ?, ?)",
                                 error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, i + 1);
      sqlite3_bind_int64 (stmt, 2, till_product_get_id (till_cart_line_get_product (line)));
      sqlite3_bind_int64 (stmt, 3, till_cart_line_get_quantity (line));
      sqlite3_bind_int64 (stmt, 4, till_cart_line_get_unit_price (line));
      sqlite3_bind_int64 (stmt, 5, till_cart_line_get_original_price (line));
      sqlite3_bind_int (stmt, 6, till_cart_line_get_discount_bp (line));
      if (!till_store_step_done (self->store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * till_cart_reload_promotions:
 *
 * Reads the promotions of the till's store again (after a sync pull or a
 * manager's edit) and prices the cart with them. A failure to read them is
 * logged and the cart sells without promotions, so this does not fail today;
 * the #GError is there for the day it must.
 */
gboolean
till_cart_reload_promotions (TillCart *self, GError **error)
{
  g_return_val_if_fail (TILL_IS_CART (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  load_promotions (self);
  update_totals (self);
  if (self->lines->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, self->lines->len, self->lines->len);
  return TRUE;
}

/**
 * till_cart_set_member:
 * @member_id: (nullable): the member the sale is for
 * @tier: (nullable): their tier
 * @member_uses: (nullable): code → earlier uses (GINT_TO_POINTER); the cart
 *   takes a reference
 *
 * Prices the cart again for that member (member prices, tier discounts,
 * members-only promotions and per-member limits).
 */
void
till_cart_set_member (TillCart   *self,
                      const char *member_id,
                      const char *tier,
                      GHashTable *member_uses)
{
  g_return_if_fail (TILL_IS_CART (self));

  g_free (self->member_id);
  self->member_id = g_strdup (member_id);
  g_free (self->member_tier);
  self->member_tier = member_id != NULL ? g_strdup (tier) : NULL;
  g_clear_pointer (&self->member_uses, g_hash_table_unref);
  if (member_id != NULL && member_uses != NULL)
    self->member_uses = g_hash_table_ref (member_uses);
  update_totals (self);
  if (self->lines->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, self->lines->len, self->lines->len);
}

/* Returns: (nullable): the member the sale is for */
const char *
till_cart_get_member_id (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  return self->member_id;
}

/**
 * till_cart_set_member_key:
 * @key: (nullable): the key members' data is sealed with
 *
 * Lets till_cart_restore() load a journaled cart's member.
 */
void
till_cart_set_member_key (TillCart *self, TillMemberKey *key)
{
  g_return_if_fail (TILL_IS_CART (self));
  g_return_if_fail (key == NULL || TILL_IS_MEMBER_KEY (key));

  g_set_object (&self->member_key, key);
}

static gboolean journal_coupon (TillCart *self, const char *code, gboolean add, GError **error);

/* Takes @code off the coupons in memory (the caller journals it). */
static void
forget_coupon (TillCart *self, const char *code)
{
  guint n = g_strv_length (self->coupons);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (self->coupons[i], code))
      {
        g_hash_table_remove (self->member_coupons, code);
        g_free (self->coupons[i]);
        memmove (&self->coupons[i], &self->coupons[i + 1], (n - i) * sizeof (char *));
        return;
      }
}

/* Member coupons presented that are not @member_id's (all of them when
 * @member_id is NULL). */
static GPtrArray *
member_coupons_not_of (TillCart *self, const char *member_id)
{
  GPtrArray     *codes = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer       code, owner;

  g_hash_table_iter_init (&iter, self->member_coupons);
  while (g_hash_table_iter_next (&iter, &code, &owner))
    if (g_strcmp0 (owner, member_id) != 0)
      g_ptr_array_add (codes, g_strdup (code));
  return codes;
}

/* After a restore: which of the journaled coupons are members' and, of
 * those, the ones not of the restored member leave the sale (a member
 * dropped on restore takes their coupons along). */
static void
restore_member_coupons (TillCart *self)
{
  g_autoptr (GPtrArray) foreign = NULL;

  g_hash_table_remove_all (self->member_coupons);
  for (guint i = 0; self->coupons[i] != NULL; i++)
    {
      g_autoptr (GError) local_error = NULL;
      char *owner = NULL;

      if (_till_loyalty_find_member_coupon (self->store, self->coupons[i], NULL, &owner,
                                            &local_error))
        g_hash_table_replace (self->member_coupons, g_strdup (self->coupons[i]), owner);
      else if (local_error != NULL)
        g_message ("Cannot tell whose coupon %s is: %s", self->coupons[i], local_error->message);
    }
  foreign = member_coupons_not_of (self, self->member_id);
  for (guint i = 0; i < foreign->len; i++)
    {
      g_autoptr (GError) drop_error = NULL;
      const char *code = g_ptr_array_index (foreign, i);

      forget_coupon (self, code);
      /* Best effort: the next restore drops it again otherwise. */
      if (!journal_coupon (self, code, FALSE, &drop_error))
        g_message ("The dropped coupon stays in the journaled cart: %s", drop_error->message);
    }
}

/**
 * till_cart_attach_member:
 * @member: (nullable): the member the sale is for; %NULL detaches
 *
 * Attaches a copy of @member to the open sale (see till-cart.h): journaled
 * in cart.member_id, their promotions join the store's, and the cart is
 * priced again for them.
 *
 * Returns: %TRUE, or %FALSE with @error set when the journal cannot be
 *   written (nothing changed)
 */
gboolean
till_cart_attach_member (TillCart *self, const TillMember *member, GError **error)
{
  g_return_val_if_fail (TILL_IS_CART (self), FALSE);
  g_return_val_if_fail (member == NULL || member->id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (member == NULL && self->member == NULL && self->member_id == NULL)
    return TRUE;
  /* A member coupon is for its member's sale only: when the member leaves
   * or another one comes, it leaves the sale first. */
  {
    g_autoptr (GPtrArray) foreign =
        member_coupons_not_of (self, member != NULL ? member->id : NULL);

    for (guint i = 0; i < foreign->len; i++)
      if (!till_cart_remove_coupon (self, g_ptr_array_index (foreign, i), error))
        return FALSE;
  }
  /* A sale's first act reads the promotions again if they changed, as the
   * first line does. */
  if (member != NULL && n_bought_lines (self) == 0 && self->coupons[0] == NULL)
    refresh_promotions (self);
  if (!journal_member (self, member != NULL ? member->id : NULL, error))
    return FALSE;
  if (member != NULL)
    self->journaled = TRUE;

  set_attached_member (self, member != NULL ? till_member_copy (member) : NULL);
  update_totals (self);
  if (self->lines->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, self->lines->len, self->lines->len);
  return TRUE;
}

/* Returns: (transfer none) (nullable): the member attached to the sale */
const TillMember *
till_cart_get_member (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  return self->member;
}

/* Writes (@add) or deletes the cart_coupon row of @code, in its own
 * transaction; adding starts the journaled cart like a first line does. */
static gboolean
journal_coupon (TillCart *self, const char *code, gboolean add, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gboolean own;

  if (!change_begin (self, &own, error))
    return FALSE;
  if (add && !journal_start (self, error))
    goto failed;
  stmt = till_store_prepare (self->store,
                             add ? "INSERT INTO cart_coupon (code, added_us) VALUES (?, ?)"
                                 : "DELETE FROM cart_coupon WHERE code = ?",
                             error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  if (add)
    sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  if (!till_store_step_done (self->store, stmt, error) || !change_commit (self, own, error))
    goto failed;
  return TRUE;

failed:
  return change_failed (self, own, error);
}

/* How the screen names a member coupon's owner: their masked phone. */
static char *
owner_masked_phone (TillCart *self, const char *member_id)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GError) local_error = NULL;

  stmt = till_store_prepare (self->store, "SELECT phone_masked FROM member WHERE id = ?",
                             &local_error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
        return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  /* Erased or unreadable: still another member's. */
  return g_strdup (_ ("another member"));
}

/**
 * till_cart_add_coupon:
 * @code: the code as scanned or typed
 *
 * Presents a coupon for this sale (see till-cart.h). The cart keeps the
 * code as its promotion spells it (coupon_code), which is what the pricing
 * engine matches; till_cart_get_coupons() gives those. A member coupon
 * (till-loyalty.h) is kept as issued ("BDAY-7K3Q9Z", priced as "BDAY"),
 * and only on its member's sale: TILL_PROMOTION_ERROR_COUPON otherwise.
 *
 * Returns: (transfer full): a copy of the coupon's promotion, or %NULL with
 *   @error set: %TILL_PROMOTION_ERROR_NO_COUPON, %TILL_PROMOTION_ERROR_COUPON
 *   (why it cannot be used), %TILL_CART_ERROR_COUPON (already presented), or
 *   a store error (nothing changed)
 */
TillPromotion *
till_cart_add_coupon (TillCart *self, const char *code, GError **error)
{
  g_autoptr (TillPromotion) coupon = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *member_code = NULL;
  g_autofree char *owner = NULL;
  guint            n;

  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_bought_lines (self) == 0 && self->coupons[0] == NULL)
    refresh_promotions (self);
  coupon =
      till_promotion_find_coupon (self->promotions, self->store, code, g_get_real_time (), error);
  if (coupon == NULL)
    return NULL;
  if (!_till_loyalty_find_member_coupon (self->store, code, &member_code, &owner, &local_error) &&
      local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (owner != NULL && g_strcmp0 (owner, self->member_id) != 0)
    {
      g_autofree char *masked = owner_masked_phone (self, owner);

      if (self->member_id == NULL)
        g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON,
                     _ ("This coupon is %s's: find the member first"), masked);
      else
        g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON,
                     _ ("This coupon is %s's, not this member's"), masked);
      return NULL;
    }
  for (guint i = 0; self->coupons[i] != NULL; i++)
    {
      g_autofree char *presented = pricing_coupon_code (self, self->coupons[i]);

      if (g_strcmp0 (presented, coupon->coupon_code) == 0)
        {
          g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_COUPON,
                       _ ("The coupon %s is already on this sale"), self->coupons[i]);
          return NULL;
        }
    }
  if (!journal_coupon (self, member_code != NULL ? member_code : coupon->coupon_code, TRUE, error))
    return NULL;
  self->journaled = TRUE;

  n = g_strv_length (self->coupons);
  self->coupons = g_renew (char *, self->coupons, n + 2);
  self->coupons[n] = g_strdup (member_code != NULL ? member_code : coupon->coupon_code);
  self->coupons[n + 1] = NULL;
  if (member_code != NULL)
    g_hash_table_replace (self->member_coupons, g_steal_pointer (&member_code),
                          g_steal_pointer (&owner));
  update_totals (self);
  if (self->lines->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, self->lines->len, self->lines->len);
  return g_steal_pointer (&coupon);
}

/**
 * till_cart_remove_coupon:
 * @code: a code as till_cart_get_coupons() gives it
 *
 * Returns: %TRUE, or %FALSE with %TILL_CART_ERROR_COUPON when the coupon is
 *   not on the sale, or a store error (nothing changed)
 */
gboolean
till_cart_remove_coupon (TillCart *self, const char *code, GError **error)
{
  guint n;
  guint found = G_MAXUINT;

  g_return_val_if_fail (TILL_IS_CART (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n = g_strv_length (self->coupons);
  for (guint i = 0; i < n && found == G_MAXUINT; i++)
    if (g_str_equal (self->coupons[i], code))
      found = i;
  if (found == G_MAXUINT)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_COUPON,
                   _ ("The coupon %s is not on this sale"), code);
      return FALSE;
    }
  if (!journal_coupon (self, code, FALSE, error))
    return FALSE;

  g_hash_table_remove (self->member_coupons, code);
  g_free (self->coupons[found]);
  memmove (&self->coupons[found], &self->coupons[found + 1], (n - found) * sizeof (char *));
  update_totals (self);
  if (self->lines->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, self->lines->len, self->lines->len);
  return TRUE;
}

/* Returns: (transfer none): the coupons presented, in order; never %NULL */
const char *const *
till_cart_get_coupons (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  return (const char *const *) self->coupons;
}

/* Returns: (transfer none): the last pricing; its line_no is position + 1 */
const TillPricingResult *
till_cart_get_pricing (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  return self->pricing;
}

/* Returns: Σ promotion discount over the lines, fen */
gint64
till_cart_get_promotion_saving (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), 0);
  return self->promotion_saving;
}

/**
 * till_cart_find_promotion:
 * @code: a promotion's code
 *
 * Returns: (transfer none) (nullable): the promotion the cart priced with
 */
const TillPromotion *
till_cart_find_promotion (TillCart *self, const char *code)
{
  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  g_return_val_if_fail (code != NULL, NULL);

  for (guint i = 0; i < self->promotions->len; i++)
    {
      const TillPromotion *promotion = g_ptr_array_index (self->promotions, i);

      if (g_strcmp0 (promotion->code, code) == 0)
        return promotion;
    }
  for (guint i = 0; self->member_promotions != NULL && i < self->member_promotions->len; i++)
    {
      const TillPromotion *promotion = g_ptr_array_index (self->member_promotions, i);

      if (g_strcmp0 (promotion->code, code) == 0)
        return promotion;
    }
  return NULL;
}

/**
 * till_cart_find_coupon_promotion:
 * @coupon: a code as till_cart_get_coupons() gives it
 *
 * Returns: (transfer none) (nullable): the coupon promotion it stands for
 */
const TillPromotion *
till_cart_find_coupon_promotion (TillCart *self, const char *coupon)
{
  g_autofree char *code = NULL;

  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  g_return_val_if_fail (coupon != NULL, NULL);

  code = pricing_coupon_code (self, coupon);
  for (guint i = 0; i < self->promotions->len; i++)
    {
      const TillPromotion *promotion = g_ptr_array_index (self->promotions, i);

      if (promotion->kind == TILL_PROMOTION_COUPON && promotion->coupon_code != NULL &&
          g_ascii_strcasecmp (promotion->coupon_code, code) == 0)
        return promotion;
    }
  return NULL;
}
