/* test-cart-promotions.c: promotions at the till, through the real cart, sale
 * commit, held sales and returns (src/core/till-cart.c, till-cart-line.c,
 * till-sale.c, till-return.c, till-held-sale.c with the pricing engine)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

static char        *scratch;
static char        *db_path;
static char        *key_path;
static TillStore   *store;
static TillCatalog *catalog;
static TillJournal *journal;
static TillCart    *cart;
static TillUser    *cashier;
static TillUser    *manager;

/* The shop: 饮料 (DRINK) holds 碳酸饮料 (SODA), where the cola is; chips,
 * a bottle of water that promotions give away, and apples by weight. */
static gint64 drink_id;
static gint64 soda_id;
static gint64 cola_id;  /* ¥3.50, SODA */
static gint64 chips_id; /* ¥12.80 */
static gint64 water_id; /* ¥2.00, the gift */
static gint64 apple_id; /* ¥5.98/kg */
static gint64 old_id;   /* withdrawn: a gift of it is left out */

static guint n_repriced;
static guint n_saving_notified;

static gint64
add_product (const char *sku, const char *name, gint64 price, gint64 category_id, gboolean weighed)
{
  g_autoptr (GError) error = NULL;
  TillProductSpec spec = {
    .sku = sku,
    .name = name,
    .unit = weighed ? "kg" : "个",
    .price = price,
    .cost = price / 2,
    .vat_rate = 1300,
    .category_id = category_id,
    .weighed = weighed,
    .active = TRUE,
  };
  gint64 id = till_catalog_add_product (catalog, &spec, &error);

  ck_assert_msg (id > 0, "adding %s: %s", sku, error ? error->message : "");
  return id;
}

static void
repriced_cb (TillCart *self, gpointer data)
{
  n_repriced++;
}

static void
saving_notify_cb (GObject *object, GParamSpec *pspec, gpointer data)
{
  n_saving_notified++;
}

static void
new_cart (void)
{
  g_autoptr (GError) error = NULL;

  g_clear_object (&cart);
  cart = till_cart_new (store, catalog);
  ck_assert_msg (till_cart_restore (cart, &error), "%s", error ? error->message : "");
  g_signal_connect (cart, "repriced", G_CALLBACK (repriced_cb), NULL);
  g_signal_connect (cart, "notify::promotion-saving", G_CALLBACK (saving_notify_cb), NULL);
}

static void
exec_sql (const char *sql)
{
  char *message = NULL;

  ck_assert_msg (sqlite3_exec (till_store_get_db (store), sql, NULL, NULL, &message) == SQLITE_OK,
                 "%s: %s", sql, message ? message : "");
}

static gint64
query_int (const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64        value;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* Keeps @promotion as one of the till's own (table promotion) and has the
 * cart read the promotions again. Takes @promotion. */
static void
add_promotion (TillPromotion *promotion)
{
  g_autoptr (TillPromotion) owned = promotion;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;
  sqlite3_stmt    *stmt = NULL;

  ck_assert_msg (till_promotion_validate (promotion, &error), "%s", error ? error->message : "");
  json = till_promotion_to_json (promotion);
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "INSERT OR REPLACE INTO promotion (code, data, updated_us) "
                                        "VALUES (?, ?, 0)",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, promotion->code, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, json, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  sqlite3_finalize (stmt);
  ck_assert (till_cart_reload_promotions (cart, &error));
}

static GStrv
one (const char *text)
{
  GStrv strv = g_new0 (char *, 2);

  strv[0] = g_strdup (text);
  return strv;
}

static TillPromotion *
threshold (const char *code, gint64 min_amount, gint64 amount_off)
{
  TillPromotion    *promotion = till_promotion_new (code, "满50减10", TILL_PROMOTION_THRESHOLD);
  TillPromotionTier tier = { min_amount, amount_off };

  g_array_append_val (promotion->tiers, tier);
  return promotion;
}

static TillPromotion *
nth_half (const char *code, const char *sku)
{
  TillPromotion *promotion = till_promotion_new (code, "第二件半价", TILL_PROMOTION_NTH_ITEM);

  promotion->skus = one (sku);
  promotion->nth_item = 2;
  promotion->percent_bp = 5000;
  return promotion;
}

static TillPromotion *
gift (const char *code, const char *sku, const char *gift_sku, gint64 min_quantity)
{
  TillPromotion *promotion = till_promotion_new (code, "买二赠水", TILL_PROMOTION_GIFT);

  promotion->skus = one (sku);
  promotion->min_quantity = min_quantity;
  promotion->gift_sku = g_strdup (gift_sku);
  promotion->gift_quantity = TILL_QUANTITY_ONE;
  return promotion;
}

static TillPromotion *
coupon (const char *code, const char *coupon_code, gint64 amount_off, gint64 min_amount)
{
  TillPromotion *promotion = till_promotion_new (code, "优惠券", TILL_PROMOTION_COUPON);

  promotion->coupon_code = g_strdup (coupon_code);
  promotion->amount_off = amount_off;
  promotion->min_amount = min_amount;
  return promotion;
}

static TillProduct *
product (gint64 id)
{
  g_autoptr (GError) error = NULL;
  TillProduct *found = till_catalog_lookup_id (catalog, id, &error);

  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
  return found;
}

static TillCartLine *
add (gint64 id, gint64 pieces)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) found = product (id);
  TillCartLine *line = till_cart_add_product (cart, found, pieces * TILL_QUANTITY_ONE, &error);

  ck_assert_msg (line != NULL, "%s", error ? error->message : "");
  return line;
}

static void
set_quantity (guint position, gint64 pieces)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_cart_set_quantity (cart, position, pieces * TILL_QUANTITY_ONE, &error), "%s",
                 error ? error->message : "");
}

/* The invariants of every cart: line amounts add up to the subtotal, each
 * line's money adds up, its shares add up to its promotion discount, gift
 * lines come last and cost nothing, promotion-saving is their sum. */
static void
assert_cart_adds_up (void)
{
  gint64   subtotal = 0;
  gint64   saving = 0;
  gboolean gifts_began = FALSE;

  for (guint i = 0; i < till_cart_get_n_lines (cart); i++)
    {
      TillCartLine *line = till_cart_get_line (cart, i);
      GArray       *shares = till_cart_line_get_promotions (line);
      gint64        share_sum = 0;

      ck_assert_ptr_nonnull (shares);
      for (guint k = 0; k < shares->len; k++)
        {
          ck_assert_int_gt (g_array_index (shares, TillPricingShare, k).amount, 0);
          share_sum += g_array_index (shares, TillPricingShare, k).amount;
        }
      ck_assert_int_eq (share_sum, till_cart_line_get_promotion_discount (line));
      ck_assert_int_eq (till_cart_line_get_amount (line),
                        till_cart_line_get_gross_amount (line) -
                            till_cart_line_get_line_discount (line) -
                            till_cart_line_get_promotion_discount (line) -
                            till_cart_line_get_sale_discount (line));
      ck_assert_int_ge (till_cart_line_get_amount (line), 0);
      if (!till_cart_line_takes_promotions (line))
        ck_assert_int_eq (till_cart_line_get_promotion_discount (line), 0);
      if (till_cart_line_get_gift_code (line) != NULL)
        {
          gifts_began = TRUE;
          ck_assert_int_eq (till_cart_line_get_amount (line), 0);
        }
      else
        ck_assert_msg (!gifts_began, "line %u comes after a gift line", i);
      subtotal += till_cart_line_get_amount (line);
      saving += till_cart_line_get_promotion_discount (line);
    }
  ck_assert_int_eq (subtotal, till_cart_get_subtotal (cart));
  ck_assert_int_eq (saving, till_cart_get_promotion_saving (cart));
  ck_assert_int_eq (saving, till_cart_get_pricing (cart)->saving);
}

static TillUser *
login (const char *code, const char *pin)
{
  g_autoptr (GError) error = NULL;
  TillUser *user = till_user_authenticate (store, code, pin, &error);

  ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  return user;
}

static void
open_all (void)
{
  g_autoptr (GError) error = NULL;

  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
}

static void
close_all (void)
{
  g_clear_object (&cart);
  g_clear_object (&cashier);
  g_clear_object (&manager);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  gint64 old_product;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  open_all ();
  ck_assert (till_user_create (store, "1001", "王小丽", TILL_ROLE_CASHIER, "1234", &error) > 0);
  ck_assert (till_user_create (store, "9001", "李经理", TILL_ROLE_MANAGER, "9999", &error) > 0);
  cashier = login ("1001", "1234");
  manager = login ("9001", "9999");

  drink_id = till_catalog_add_category (catalog, 0, "饮料", &error);
  soda_id = till_catalog_add_category (catalog, drink_id, "碳酸饮料", &error);
  ck_assert (till_catalog_set_category_code (catalog, drink_id, "DRINK", &error));
  ck_assert (till_catalog_set_category_code (catalog, soda_id, "SODA", &error));
  cola_id = add_product ("C001", "可口可乐 330ml", 350, soda_id, FALSE);
  chips_id = add_product ("C002", "乐事薯片 原味 70g", 1280, 0, FALSE);
  water_id = add_product ("W001", "农夫山泉 550ml", 200, drink_id, FALSE);
  apple_id = add_product ("F001", "红富士苹果", 598, 0, TRUE);
  old_product = add_product ("X001", "下架赠品", 100, 0, FALSE);
  exec_sql ("UPDATE product SET active = 0 WHERE sku = 'X001'");
  old_id = old_product;

  n_repriced = 0;
  n_saving_notified = 0;
  new_cart ();
}

static void
teardown (void)
{
  close_all ();
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&key_path, g_free);
}

/* /core/cart-promotions/threshold: 满50减10 through the cart, with the
 * line shares, the saving property and the "repriced" signal */
START_TEST (test_threshold)
{
  guint repriced_before;

  add_promotion (threshold ("T1", 5000, 1000));
  add (chips_id, 3); /* 3840: below the tier */
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 0);
  ck_assert_int_eq (till_cart_get_total (cart), 3840);

  repriced_before = n_repriced;
  add (cola_id, 4); /* + 1400 = 5240 */
  ck_assert_uint_gt (n_repriced, repriced_before);
  ck_assert_uint_gt (n_saving_notified, 0);
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 1000);
  ck_assert_int_eq (till_cart_get_total (cart), 4240);
  ck_assert_uint_eq (till_cart_get_pricing (cart)->applied->len, 1);
  {
    const TillPricingApplied *applied =
        g_ptr_array_index (till_cart_get_pricing (cart)->applied, 0);
    GArray *shares = till_cart_line_get_promotions (till_cart_get_line (cart, 0));

    ck_assert_str_eq (applied->code, "T1");
    ck_assert_uint_eq (shares->len, 1);
    ck_assert_str_eq (g_array_index (shares, TillPricingShare, 0).code, "T1");
    ck_assert_str_eq (g_array_index (shares, TillPricingShare, 0).name, "满50减10");
    /* Shared in proportion: 1000 × 3840 / 5240 = 732.8 → 733, 267. */
    ck_assert_int_eq (till_cart_line_get_promotion_discount (till_cart_get_line (cart, 0)), 733);
    ck_assert_int_eq (till_cart_line_get_promotion_discount (till_cart_get_line (cart, 1)), 267);
  }
  assert_cart_adds_up ();

  /* Below the tier again: the saving goes. */
  set_quantity (1, 1);
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 0);
  ck_assert_int_eq (till_cart_line_get_promotion_discount (till_cart_get_line (cart, 0)), 0);
  ck_assert_int_eq (till_cart_get_total (cart), 3840 + 350);
  assert_cart_adds_up ();
}
END_TEST

/* /core/cart-promotions/nth-item: 第二件半价 on the cola */
START_TEST (test_nth_item)
{
  add_promotion (nth_half ("N1", "C001"));
  add (cola_id, 1);
  ck_assert_int_eq (till_cart_get_total (cart), 350);
  add (cola_id, 1);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 175);
  ck_assert_int_eq (till_cart_get_total (cart), 525);
  add (cola_id, 1); /* 3: still one pair */
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 175);
  add (cola_id, 1); /* 4: two pairs */
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 350);
  ck_assert_int_eq (till_cart_get_total (cart), 1050);
  assert_cart_adds_up ();
}
END_TEST

/* /core/cart-promotions/category: a promotion on the parent category reaches a
 * product of its child, through the catalog's category codes */
START_TEST (test_category)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) codes = till_catalog_get_category_codes (catalog, soda_id, &error);
  TillPromotion *promotion = till_promotion_new ("P10", "饮料九折", TILL_PROMOTION_PERCENT_OFF);

  ck_assert_ptr_nonnull (codes);
  ck_assert_str_eq (codes[0], "SODA");
  ck_assert_str_eq (codes[1], "DRINK");
  ck_assert_ptr_null (codes[2]);

  promotion->categories = one ("DRINK");
  promotion->percent_bp = 1000;
  add_promotion (promotion);
  add (cola_id, 2);  /* 700 → 70 off */
  add (chips_id, 1); /* no category: full price */
  ck_assert_int_eq (till_cart_line_get_promotion_discount (till_cart_get_line (cart, 0)), 70);
  ck_assert_int_eq (till_cart_line_get_promotion_discount (till_cart_get_line (cart, 1)), 0);
  ck_assert_int_eq (till_cart_get_total (cart), 630 + 1280);
  assert_cart_adds_up ();

  /* The category loses its code: after a reload the promotion no longer
   * reaches the cola. */
  ck_assert (till_catalog_set_category_code (catalog, drink_id, NULL, &error));
  ck_assert (till_cart_reload_promotions (cart, &error));
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 0);
}
END_TEST

/* /core/cart-promotions/gift: the gift line appears after the cashier's
 * lines, follows the quantity, disappears, and cannot be touched by hand */
START_TEST (test_gift)
{
  g_autoptr (GError) error = NULL;
  TillCartLine *gift_line;
  guint         n_journaled;

  add_promotion (gift ("G1", "C002", "W001", 2000));
  add (chips_id, 1);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  add (chips_id, 1);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
  gift_line = till_cart_get_line (cart, 1);
  ck_assert_str_eq (till_cart_line_get_gift_code (gift_line), "G1");
  ck_assert_int_eq (till_product_get_id (till_cart_line_get_product (gift_line)), water_id);
  ck_assert_int_eq (till_cart_line_get_quantity (gift_line), TILL_QUANTITY_ONE);
  ck_assert_int_eq (till_cart_line_get_unit_price (gift_line), 0);
  ck_assert_int_eq (till_cart_line_get_original_price (gift_line), 0);
  ck_assert_int_eq (till_cart_line_get_amount (gift_line), 0);
  ck_assert (!till_cart_line_takes_promotions (gift_line));
  ck_assert_int_eq (till_cart_get_total (cart), 2560);

  /* A new line goes before the gift. */
  add (cola_id, 1);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 3);
  ck_assert_int_eq (till_product_get_id (till_cart_line_get_product (till_cart_get_line (cart, 1))),
                    cola_id);
  ck_assert_str_eq (till_cart_line_get_gift_code (till_cart_get_line (cart, 2)), "G1");
  /* Gifts are never journaled. */
  n_journaled = (guint) query_int ("SELECT count(*) FROM cart_line");
  ck_assert_uint_eq (n_journaled, 2);

  /* Four chips: two gifts. */
  set_quantity (0, 4);
  ck_assert_int_eq (till_cart_line_get_quantity (till_cart_get_line (cart, 2)),
                    2 * TILL_QUANTITY_ONE);
  assert_cart_adds_up ();

  /* Every act on the gift is refused. */
  ck_assert (!till_cart_set_quantity (cart, 2, 5000, &error));
  ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_GIFT));
  g_clear_error (&error);
  ck_assert (!till_cart_remove_line (cart, 2, &error));
  ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_GIFT));
  g_clear_error (&error);
  ck_assert (!till_cart_void_line (cart, journal, manager, 2, "不要", NULL, &error));
  ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_GIFT));
  g_clear_error (&error);
  ck_assert (!till_cart_override_price (cart, journal, manager, 2, 100, "价签", NULL, &error));
  ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_GIFT));
  g_clear_error (&error);
  ck_assert (!till_cart_set_line_discount (cart, journal, manager, 2, 1000, "促销", NULL, &error));
  ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_GIFT));
  g_clear_error (&error);
  ck_assert (!till_cart_change_quantity (cart, journal, manager, 2, 1000, NULL, &error));
  ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_GIFT));
  g_clear_error (&error);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 3);

  /* Back to one chips: the gift goes. */
  set_quantity (0, 1);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
  ck_assert_ptr_null (till_cart_line_get_gift_code (till_cart_get_line (cart, 1)));
  assert_cart_adds_up ();
}
END_TEST

/* /core/cart-promotions/gift-not-sold: a gift whose product is withdrawn or
 * unknown is left out; the sale goes on */
START_TEST (test_gift_not_sold)
{
  add_promotion (gift ("G2", "C002", "X001", 1000));
  add_promotion (gift ("G3", "C002", "NOPE", 1000));
  add (chips_id, 1);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  ck_assert_int_eq (till_cart_get_total (cart), 1280);
  ck_assert_int_gt (old_id, 0);
}
END_TEST

/* /core/cart-promotions/manual-lines: a line with a price override or a line
 * discount is left alone by promotions */
START_TEST (test_manual_lines)
{
  g_autoptr (GError) error = NULL;
  TillPromotion *promotion = till_promotion_new ("P20", "全场八折", TILL_PROMOTION_PERCENT_OFF);

  promotion->percent_bp = 2000;
  promotion->skus = g_strsplit ("C001 C002", " ", -1);
  add_promotion (promotion);
  add (cola_id, 1);
  add (chips_id, 1);
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 70 + 256);

  ck_assert_msg (
      till_cart_override_price (cart, journal, manager, 0, 300, "价签不符", NULL, &error), "%s",
      error ? error->message : "");
  ck_assert (!till_cart_line_takes_promotions (till_cart_get_line (cart, 0)));
  ck_assert_int_eq (till_cart_line_get_promotion_discount (till_cart_get_line (cart, 0)), 0);
  ck_assert_int_eq (till_cart_line_get_amount (till_cart_get_line (cart, 0)), 300);
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 256);

  ck_assert_msg (till_cart_set_line_discount (cart, journal, manager, 1, 500, "熟客", NULL, &error),
                 "%s", error ? error->message : "");
  ck_assert_int_eq (till_cart_line_get_promotion_discount (till_cart_get_line (cart, 1)), 0);
  ck_assert_int_eq (till_cart_line_get_amount (till_cart_get_line (cart, 1)), 1280 - 64);
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 0);
  assert_cart_adds_up ();

  /* Another scan of the cola gets a line of its own, and the promotion. */
  add (cola_id, 1);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 3);
  ck_assert_int_eq (till_cart_line_get_promotion_discount (till_cart_get_line (cart, 2)), 70);
  assert_cart_adds_up ();
}
END_TEST

/* /core/cart-promotions/sale-discount: the manual whole-sale discount is
 * split over what the promotions left, and everything still adds up */
START_TEST (test_sale_discount)
{
  g_autoptr (GError) error = NULL;

  add_promotion (nth_half ("N1", "C001"));
  add_promotion (threshold ("T1", 5000, 1000));
  add (cola_id, 3);  /* 1050 − 175 = 875 */
  add (chips_id, 4); /* 5120; 5995 ≥ 5000 → − 1000 */
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 1175);
  ck_assert_msg (till_cart_set_sale_discount (cart, journal, manager, 1000, "店庆", NULL, &error),
                 "%s", error ? error->message : "");
  /* 10 % of 6170 − 1175 = 4995 → 500 (half-up 499.5). */
  ck_assert_int_eq (till_cart_get_sale_discount (cart), 500);
  ck_assert_int_eq (till_cart_get_subtotal (cart), 6170 - 1175 - 500);
  assert_cart_adds_up ();

  /* Changing the cart reprices and splits again. */
  add (apple_id, 0 + 1);
  assert_cart_adds_up ();
}
END_TEST

/* /core/cart-promotions/coupon-errors: unknown, expired, used, twice */
START_TEST (test_coupon_errors)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPromotion) found = NULL;
  gint64         now = g_get_real_time ();
  TillPromotion *expired = coupon ("K2", "OLD10", 1000, 0);

  expired->valid_from_us = now - 10 * G_TIME_SPAN_DAY;
  expired->valid_until_us = now - G_TIME_SPAN_DAY;
  add_promotion (coupon ("K1", "SAVE10", 1000, 3000));
  add_promotion (expired);
  add_promotion (coupon ("K3", "USED10", 1000, 0));
  exec_sql ("INSERT INTO coupon_use (code, sale_uuid, used_us) VALUES ('used10', 'x', 1)");
  add (chips_id, 1);

  ck_assert_ptr_null (till_cart_add_coupon (cart, "NOSUCH", &error));
  ck_assert (g_error_matches (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_NO_COUPON));
  g_clear_error (&error);
  ck_assert_ptr_null (till_cart_add_coupon (cart, "OLD10", &error));
  ck_assert (g_error_matches (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON));
  ck_assert_msg (strstr (error->message, "expired") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert_ptr_null (till_cart_add_coupon (cart, "USED10", &error));
  ck_assert (g_error_matches (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON));
  ck_assert_msg (strstr (error->message, "used") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert_ptr_null (till_cart_get_coupons (cart)[0]);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_coupon"), 0);

  found = till_cart_add_coupon (cart, " save10 ", &error);
  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (found->code, "K1");
  ck_assert_ptr_null (till_cart_add_coupon (cart, "SAVE10", &error));
  ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_COUPON));
  g_clear_error (&error);
  ck_assert_str_eq (till_cart_get_coupons (cart)[0], "SAVE10");
  ck_assert_ptr_null (till_cart_get_coupons (cart)[1]);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_coupon"), 1);

  /* Below its minimum spend: presented, not applied. */
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 0);
  add (chips_id, 2); /* 3840 */
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 1000);
  ck_assert_int_eq (till_cart_get_total (cart), 2840);
  assert_cart_adds_up ();

  ck_assert (!till_cart_remove_coupon (cart, "NOSUCH", &error));
  ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_COUPON));
  g_clear_error (&error);
  ck_assert (till_cart_remove_coupon (cart, "SAVE10", &error));
  ck_assert_ptr_null (till_cart_get_coupons (cart)[0]);
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_coupon"), 0);
}
END_TEST

/* /core/cart-promotions/coupon-first: a coupon on an empty cart starts the
 * journaled cart; void-sale clears it */
START_TEST (test_coupon_first)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPromotion) found = NULL;

  add_promotion (coupon ("K1", "SAVE10", 1000, 3000));
  found = till_cart_add_coupon (cart, "SAVE10", &error);
  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart"), 1);
  add (chips_id, 3);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_coupon"), 1);
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 1000);

  ck_assert (till_cart_void_sale (cart, journal, manager, "顾客离开", NULL, &error));
  ck_assert_ptr_null (till_cart_get_coupons (cart)[0]);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_coupon"), 0);
}
END_TEST

/* /core/cart-promotions/restore: a till killed mid-sale comes back with the
 * same lines, coupons, gifts and totals */
START_TEST (test_restore)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPromotion) found = NULL;
  g_autofree char *uuid = NULL;
  gint64           total;
  gint64           saving;
  guint            n_lines;

  add_promotion (coupon ("K1", "SAVE10", 1000, 3000));
  add_promotion (gift ("G1", "C002", "W001", 2000));
  add_promotion (nth_half ("N1", "C001"));
  add (chips_id, 3);
  add (cola_id, 2);
  found = till_cart_add_coupon (cart, "SAVE10", &error);
  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
  uuid = g_strdup (till_cart_get_sale_uuid (cart));
  total = till_cart_get_total (cart);
  saving = till_cart_get_promotion_saving (cart);
  n_lines = till_cart_get_n_lines (cart);
  ck_assert_uint_eq (n_lines, 3);
  ck_assert_int_eq (saving, 1000 + 175);

  /* "Crash": the cart is gone, the store and everything on disk stay. */
  close_all ();
  open_all ();
  new_cart ();
  ck_assert_str_eq (till_cart_get_sale_uuid (cart), uuid);
  ck_assert_str_eq (till_cart_get_coupons (cart)[0], "SAVE10");
  ck_assert_uint_eq (till_cart_get_n_lines (cart), n_lines);
  ck_assert_str_eq (till_cart_line_get_gift_code (till_cart_get_line (cart, 2)), "G1");
  ck_assert_int_eq (till_cart_get_total (cart), total);
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), saving);
  assert_cart_adds_up ();
}
END_TEST

/* /core/cart-promotions/held-sale: holding keeps the coupons and leaves the
 * gifts out; resuming brings both back */
START_TEST (test_held_sale)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPromotion) found = NULL;
  gint64 total;
  gint64 held_id;

  add_promotion (coupon ("K1", "SAVE10", 1000, 3000));
  add_promotion (coupon ("K2", "MORE5", 500, 0));
  add_promotion (gift ("G1", "C002", "W001", 2000));
  add (chips_id, 3);
  found = till_cart_add_coupon (cart, "SAVE10", &error);
  ck_assert (found != NULL);
  g_clear_pointer (&found, till_promotion_free);
  found = till_cart_add_coupon (cart, "MORE5", &error);
  ck_assert (found != NULL);
  total = till_cart_get_total (cart);
  ck_assert_int_eq (total, 3840 - 1500);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);

  held_id = till_held_sale_suspend (cart, journal, cashier, NULL, &error);
  ck_assert_msg (held_id > 0, "%s", error ? error->message : "");
  ck_assert_int_eq (query_int ("SELECT count(*) FROM held_sale_line"), 1);
  ck_assert_ptr_null (till_cart_get_coupons (cart)[0]);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);

  ck_assert_msg (till_held_sale_resume (cart, journal, cashier, held_id, NULL, &error), "%s",
                 error ? error->message : "");
  ck_assert_str_eq (till_cart_get_coupons (cart)[0], "SAVE10");
  ck_assert_str_eq (till_cart_get_coupons (cart)[1], "MORE5");
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
  ck_assert_str_eq (till_cart_line_get_gift_code (till_cart_get_line (cart, 1)), "G1");
  ck_assert_int_eq (till_cart_get_total (cart), total);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_coupon"), 2);
  assert_cart_adds_up ();
}
END_TEST

static TillSale *
sell_cash (void)
{
  g_autoptr (GError) error = NULL;
  TillSale *sale =
      till_sale_commit_cash (cart, journal, cashier, till_cart_get_total (cart), &error);

  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  return sale;
}

/* /core/cart-promotions/new-sale-rereads: a new sale prices with the
 * promotions as they are now (added, edited or deleted since the last sale,
 * by a sync pull or a manager), without an explicit reload */
START_TEST (test_new_sale_rereads)
{
  g_autoptr (TillSale) first = NULL;
  g_autoptr (TillSale) second = NULL;
  g_autoptr (TillPromotion) promotion = threshold ("T2", 1000, 100);
  g_autofree char *json = till_promotion_to_json (promotion);
  char            *insert = NULL;

  add (chips_id, 1);
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 0);
  first = sell_cash ();

  /* Written behind the cart's back, as a sync pull would. */
  insert =
      sqlite3_mprintf ("INSERT INTO promotion (code, data, updated_us) VALUES ('T2', %Q, 1)", json);
  exec_sql (insert);
  sqlite3_free (insert);
  add (chips_id, 1);
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 100);
  second = sell_cash ();

  /* Deleted: the next sale has no saving. */
  exec_sql ("DELETE FROM promotion WHERE code = 'T2'");
  add (chips_id, 1);
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 0);
}
END_TEST

static gint64
query_sale_int (const char *sql, const char *uuid)
{
  sqlite3_stmt *stmt = NULL;
  gint64        value;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* The recorded sale adds up: Σ line amounts = subtotal, each line's shares
 * = its promotion_discount, Σ sale_promotion saving = Σ promotion_discount. */
static void
assert_sale_rows_add_up (const char *uuid)
{
  ck_assert_int_eq (query_sale_int ("SELECT coalesce(sum(amount), 0) FROM sale_line "
                                    "WHERE sale_uuid = ?1",
                                    uuid),
                    query_sale_int ("SELECT subtotal FROM sale WHERE uuid = ?1", uuid));
  ck_assert_int_eq (query_sale_int ("SELECT count(*) FROM sale_line l WHERE sale_uuid = ?1 AND "
                                    "promotion_discount <> (SELECT coalesce(sum(amount), 0) "
                                    "FROM sale_line_promotion p WHERE p.sale_uuid = l.sale_uuid "
                                    "AND p.line_no = l.line_no)",
                                    uuid),
                    0);
  ck_assert_int_eq (query_sale_int ("SELECT coalesce(sum(promotion_discount), 0) FROM sale_line "
                                    "WHERE sale_uuid = ?1",
                                    uuid),
                    query_sale_int ("SELECT coalesce(sum(saving), 0) FROM sale_promotion "
                                    "WHERE sale_uuid = ?1",
                                    uuid));
  ck_assert_int_eq (query_sale_int ("SELECT count(*) FROM sale_line WHERE sale_uuid = ?1 AND "
                                    "amount <> quantity * unit_price / 1000 - line_discount - "
                                    "promotion_discount - sale_discount AND weighed = 0",
                                    uuid),
                    0);
}

/* /core/cart-promotions/sale: the sale records lines, shares, promotions,
 * gifts and the coupon that applied; till_sale_load gives them back; the
 * coupon cannot be used again */
START_TEST (test_sale)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPromotion) found = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) loaded = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *body = NULL;
  gint64           saving;
  gint64           total;
  sqlite3_stmt    *stmt = NULL;

  add_promotion (nth_half ("N1", "C001"));
  add_promotion (gift ("G1", "C002", "W001", 2000));
  add_promotion (coupon ("K1", "SAVE10", 1000, 3000));
  add_promotion (coupon ("K9", "BIG", 5000, 1000000));
  add (cola_id, 3);
  add (chips_id, 4);
  found = till_cart_add_coupon (cart, "SAVE10", &error);
  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
  g_clear_pointer (&found, till_promotion_free);
  found = till_cart_add_coupon (cart, "BIG", &error);
  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
  saving = till_cart_get_promotion_saving (cart);
  total = till_cart_get_total (cart);
  ck_assert_int_eq (saving, 175 + 1000);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 3);

  sale = sell_cash ();
  uuid = g_strdup (till_sale_get_uuid (sale));
  ck_assert_int_eq (till_sale_get_total (sale), total);
  ck_assert_int_eq (till_sale_get_promotion_saving (sale), saving);
  assert_sale_rows_add_up (uuid);
  ck_assert_int_eq (
      query_sale_int ("SELECT count(*) FROM sale_promotion WHERE sale_uuid = ?1", uuid), 3);
  ck_assert_int_eq (query_sale_int ("SELECT saving FROM sale_promotion WHERE sale_uuid = ?1 "
                                    "AND code = 'G1'",
                                    uuid),
                    0);
  ck_assert_int_eq (query_sale_int ("SELECT line_no FROM sale_line WHERE sale_uuid = ?1 "
                                    "AND gift_code = 'G1'",
                                    uuid),
                    3);
  /* The coupon that applied is spent, the one that did not is not. */
  ck_assert_int_eq (query_sale_int ("SELECT count(*) FROM coupon_use WHERE sale_uuid = ?1", uuid),
                    1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM coupon_use WHERE code = 'save10'"), 1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_coupon"), 0);

  loaded = till_sale_load (store, uuid, &error);
  ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_sale_get_promotion_saving (loaded), saving);
  ck_assert_uint_eq (till_sale_get_n_promotions (loaded), 3);
  ck_assert_str_eq (till_sale_get_promotion (loaded, 0)->code, "K1");
  ck_assert_int_eq (till_sale_get_promotion (loaded, 0)->saving, 1000);
  ck_assert_str_eq (till_sale_get_promotion (loaded, 0)->kind, "coupon");
  ck_assert (till_sale_get_promotion (loaded, 0)->whole_sale);
  ck_assert_str_eq (till_sale_get_promotion (loaded, 1)->code, "N1");
  ck_assert_str_eq (till_sale_get_promotion (loaded, 1)->kind, "nth-item");
  ck_assert (!till_sale_get_promotion (loaded, 1)->whole_sale);
  ck_assert_str_eq (till_sale_get_promotion (loaded, 1)->name, "第二件半价");
  ck_assert_str_eq (till_sale_get_promotion (loaded, 2)->code, "G1");
  ck_assert_int_eq (till_sale_get_promotion (loaded, 2)->times, 2);
  ck_assert_str_eq (till_sale_get_promotion (loaded, 2)->kind, "gift");
  for (guint i = 0; i < till_sale_get_n_lines (loaded); i++)
    {
      const TillSaleLine *line = till_sale_get_line (loaded, i);
      const TillSaleLine *sold = till_sale_get_line (sale, i);
      gint64              sum = 0;

      ck_assert_ptr_nonnull (line->promotions);
      for (guint k = 0; k < line->promotions->len; k++)
        sum += g_array_index (line->promotions, TillPricingShare, k).amount;
      ck_assert_int_eq (sum, line->promotion_discount);
      ck_assert_int_eq (line->promotion_discount, sold->promotion_discount);
      ck_assert_int_eq (line->amount, sold->amount);
      ck_assert_str_eq (line->gift_code != NULL ? line->gift_code : "",
                        sold->gift_code != NULL ? sold->gift_code : "");
    }
  ck_assert_str_eq (till_sale_get_line (loaded, 2)->gift_code, "G1");
  ck_assert_int_eq (till_sale_get_line (loaded, 0)->promotion_discount, 175 + 146);

  /* The signed record carries the promotions. */
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT body FROM journal WHERE kind = 'sale'", -1, &stmt,
                                        NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  body = g_strndup (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  sqlite3_finalize (stmt);
  ck_assert_msg (strstr (body, "\"promotion_discount\":321") != NULL, "%s", body);
  ck_assert_msg (strstr (body, "\"gift_code\":\"G1\"") != NULL, "%s", body);
  ck_assert_msg (strstr (body, "\"promotions\":[{\"code\":\"N1\",\"amount\":175}") != NULL, "%s",
                 body);
  ck_assert_msg (strstr (body, "{\"code\":\"K1\",\"name\":\"优惠券\",\"kind\":\"coupon\","
                               "\"saving\":1000,\"times\":1}") != NULL,
                 "%s", body);

  /* The next sale cannot use the single-use code again. */
  add (chips_id, 3);
  ck_assert_ptr_null (till_cart_add_coupon (cart, "SAVE10", &error));
  ck_assert (g_error_matches (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON));
}
END_TEST

/* /core/cart-promotions/coupon-used-meanwhile: a single-use coupon spent
 * between scan and payment fails the commit, and nothing is recorded */
START_TEST (test_coupon_used_meanwhile)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPromotion) found = NULL;
  g_autofree char *uuid = NULL;

  add_promotion (coupon ("K1", "SAVE10", 1000, 3000));
  add (chips_id, 3);
  found = till_cart_add_coupon (cart, "SAVE10", &error);
  ck_assert (found != NULL);
  uuid = g_strdup (till_cart_get_sale_uuid (cart));
  exec_sql ("INSERT INTO coupon_use (code, sale_uuid, used_us) VALUES ('save10', 'other', 1)");

  ck_assert_ptr_null (
      till_sale_commit_cash (cart, journal, cashier, till_cart_get_total (cart), &error));
  ck_assert (g_error_matches (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON));
  ck_assert_msg (strstr (error->message, "SAVE10") != NULL, "%s", error->message);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sale"), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM coupon_use"), 1);
  ck_assert_str_eq (till_cart_get_sale_uuid (cart), uuid);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);

  /* Taking it off lets the sale go through at full price. */
  g_clear_error (&error);
  ck_assert (till_cart_remove_coupon (cart, "SAVE10", &error));
  {
    g_autoptr (TillSale) sale = sell_cash ();

    ck_assert_int_eq (till_sale_get_total (sale), 3840);
  }
}
END_TEST

static TillReturn *
return_pieces (const char *uuid, const gint64 *quantities, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = till_sale_load (store, uuid, &error);
  g_autoptr (TillReturn) draft = NULL;

  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  draft = till_return_new_with_receipt (store, sale, &error);
  ck_assert_msg (draft != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < n; i++)
    if (quantities[i] > 0)
      ck_assert_msg (till_return_set_quantity (draft, i, quantities[i], &error), "%s",
                     error ? error->message : "");
  ck_assert_msg (till_return_commit (draft, journal, manager, NULL, &error), "%s",
                 error ? error->message : "");
  return g_steal_pointer (&draft);
}

/* /core/cart-promotions/return-buy2get1: 3 units for the price of 2, given
 * back 1 then 2: the refunds add up to what was paid, the promotion
 * discount unwinds to the fen */
START_TEST (test_return_buy2get1)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) first = NULL;
  g_autoptr (TillReturn) second = NULL;
  g_autoptr (TillReturn) loaded = NULL;
  g_autoptr (GError) error = NULL;
  TillPromotion *promotion = till_promotion_new ("B1", "买二送一", TILL_PROMOTION_BUY_X_GET_Y);
  const gint64   one_unit[] = { TILL_QUANTITY_ONE };
  const gint64   two_units[] = { 2 * TILL_QUANTITY_ONE };

  promotion->skus = one ("C002");
  promotion->buy_quantity = 2;
  promotion->get_quantity = 1;
  promotion->percent_bp = 10000;
  add_promotion (promotion);
  add (chips_id, 3);
  ck_assert_int_eq (till_cart_get_total (cart), 2560);
  sale = sell_cash ();
  ck_assert_int_eq (till_sale_get_line (sale, 0)->promotion_discount, 1280);

  first = return_pieces (till_sale_get_uuid (sale), one_unit, 1);
  /* One of three: round_half_up (2560 / 3) = 853, and 427 of the 1280. */
  ck_assert_int_eq (till_return_get_refund_total (first), 853);
  ck_assert_int_eq (till_return_get_line (first, 0)->promotion_discount, 427);
  second = return_pieces (till_sale_get_uuid (sale), two_units, 1);
  ck_assert_int_eq (till_return_get_refund_total (second), 2560 - 853);
  ck_assert_int_eq (till_return_get_line (second, 0)->promotion_discount, 1280 - 427);
  ck_assert_int_eq (query_int ("SELECT sum(promotion_discount) FROM sale_return_line"), 1280);
  ck_assert_int_eq (query_int ("SELECT sum(refund_total) FROM sale_return"), 2560);

  loaded = till_return_load (store, till_return_get_uuid (first), &error);
  ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_return_get_line (loaded, 0)->promotion_discount, 427);
}
END_TEST

/* /core/cart-promotions/return-gift: a gift line refunds nothing, and goes
 * back to stock */
START_TEST (test_return_gift)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) gift_return = NULL;
  const gint64 gift_only[] = { 0, TILL_QUANTITY_ONE };

  add_promotion (gift ("G1", "C002", "W001", 2000));
  add (chips_id, 2);
  sale = sell_cash ();
  ck_assert_uint_eq (till_sale_get_n_lines (sale), 2);
  gift_return = return_pieces (till_sale_get_uuid (sale), gift_only, 2);
  ck_assert_int_eq (till_return_get_refund_total (gift_return), 0);
  ck_assert_int_eq (query_int ("SELECT sum(delta) FROM stock_move WHERE product_id = "
                               "(SELECT id FROM product WHERE sku = 'W001')"),
                    0);
}
END_TEST

static TillPromotion *
random_promotion (GRand *rand, guint n)
{
  static const char *const skus[] = { "C001", "C002", "W001", "F001" };
  g_autofree char         *code = g_strdup_printf ("R%02u", n);
  TillPromotion           *promotion = NULL;

  switch (g_rand_int_range (rand, 0, 7))
    {
    case 0:
      promotion = till_promotion_new (code, "折扣", TILL_PROMOTION_PERCENT_OFF);
      promotion->skus = one (skus[g_rand_int_range (rand, 0, 4)]);
      promotion->percent_bp = g_rand_int_range (rand, 1, 10001);
      break;
    case 1:
      promotion = nth_half (code, skus[g_rand_int_range (rand, 0, 3)]);
      promotion->percent_bp = g_rand_int_range (rand, 1, 10001);
      break;
    case 2:
      promotion = till_promotion_new (code, "买赠", TILL_PROMOTION_BUY_X_GET_Y);
      promotion->skus = one (skus[g_rand_int_range (rand, 0, 3)]);
      promotion->buy_quantity = g_rand_int_range (rand, 1, 4);
      promotion->get_quantity = 1;
      promotion->percent_bp = 10000;
      break;
    case 3:
      promotion = threshold (code, g_rand_int_range (rand, 500, 8000), 0);
      g_array_index (promotion->tiers, TillPromotionTier, 0).amount_off = g_rand_int_range (
          rand, 1, (gint32) g_array_index (promotion->tiers, TillPromotionTier, 0).min_amount);
      break;
    case 4:
      promotion = gift (code, skus[g_rand_int_range (rand, 0, 2)], "W001", 1000);
      break;
    case 5:
      promotion = till_promotion_new (code, "特价", TILL_PROMOTION_FIXED_PRICE);
      promotion->skus = one (skus[g_rand_int_range (rand, 0, 3)]);
      promotion->fixed_price = g_rand_int_range (rand, 1, 300);
      break;
    default:
      promotion = till_promotion_new (code, "整单", TILL_PROMOTION_SALE_DISCOUNT);
      promotion->percent_bp = g_rand_int_range (rand, 1, 3000);
      break;
    }
  promotion->priority = g_rand_int_range (rand, 0, 5);
  return promotion;
}

/* /core/cart-promotions/property: random carts under random promotions,
 * sold and returned in random pieces: the refunds add up to what was paid,
 * and the promotion discount given back to what was recorded */
START_TEST (test_property)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261123);
  const gint64 ids[] = { cola_id, chips_id, water_id, apple_id };
  gint64       all_saving = 0;
  guint        n_with_gifts = 0;

  for (guint round = 0; round < 200; round++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillSale) sale = NULL;
      g_autofree char *uuid = NULL;
      gint64          *left;
      guint            n_lines;
      gint64           refunded = 0;
      gint64           given_back = 0;

      exec_sql ("DELETE FROM promotion");
      for (guint p = 0, n = g_rand_int_range (rand, 0, 5); p < n; p++)
        add_promotion (random_promotion (rand, p));
      ck_assert (till_cart_reload_promotions (cart, &error));
      for (guint l = 0, n = g_rand_int_range (rand, 1, 6); l < n; l++)
        {
          guint which = g_rand_int_range (rand, 0, 4);
          g_autoptr (TillProduct) found = product (ids[which]);
          gint64 quantity = which == 3 ? g_rand_int_range (rand, 100, 3000)
                                       : g_rand_int_range (rand, 1, 6) * TILL_QUANTITY_ONE;

          ck_assert (till_cart_add_product (cart, found, quantity, &error) != NULL);
        }
      if (g_rand_boolean (rand))
        ck_assert_msg (till_cart_set_sale_discount (cart, journal, manager,
                                                    g_rand_int_range (rand, 0, 2000), "随机", NULL,
                                                    &error),
                       "%s", error ? error->message : "");
      assert_cart_adds_up ();
      sale = sell_cash ();
      uuid = g_strdup (till_sale_get_uuid (sale));
      assert_sale_rows_add_up (uuid);

      /* Return everything in random pieces. */
      n_lines = till_sale_get_n_lines (sale);
      left = g_new0 (gint64, n_lines);
      for (guint i = 0; i < n_lines; i++)
        left[i] = till_sale_get_line (sale, i)->quantity;
      while (TRUE)
        {
          g_autofree gint64 *pick = g_new0 (gint64, n_lines);
          g_autoptr (TillReturn) done = NULL;
          gboolean any = FALSE;
          gboolean rest = FALSE;

          for (guint i = 0; i < n_lines; i++)
            rest = rest || left[i] > 0;
          if (!rest)
            break;
          for (guint i = 0; i < n_lines; i++)
            {
              const TillSaleLine *line = till_sale_get_line (sale, i);

              if (left[i] == 0 || g_rand_int_range (rand, 0, 3) == 0)
                continue;
              pick[i] = line->weighed ? left[i]
                                      : g_rand_int_range (rand, 1, (gint32) (left[i] / 1000) + 1) *
                                            TILL_QUANTITY_ONE;
              left[i] -= pick[i];
              any = TRUE;
            }
          if (!any)
            continue;
          done = return_pieces (uuid, pick, n_lines);
          refunded += till_return_get_refund_total (done);
          for (guint i = 0; i < till_return_get_n_lines (done); i++)
            given_back += till_return_get_line (done, i)->promotion_discount;
        }
      g_free (left);
      ck_assert_int_eq (refunded, till_sale_get_total (sale));
      ck_assert_int_eq (given_back, till_sale_get_promotion_saving (sale));
      all_saving += given_back;
      for (guint i = 0; i < n_lines; i++)
        if (till_sale_get_line (sale, i)->gift_code != NULL)
          {
            n_with_gifts++;
            break;
          }
    }
  /* The random promotions did apply, gifts included. */
  ck_assert_int_gt (all_saving, 0);
  ck_assert_uint_gt (n_with_gifts, 0);
}
END_TEST

static Suite *
cart_promotions_suite (void)
{
  Suite *suite = suite_create ("core/cart-promotions");
  TCase *tc;

  tc = tcase_create ("cart");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_threshold);
  tcase_add_test (tc, test_new_sale_rereads);
  tcase_add_test (tc, test_nth_item);
  tcase_add_test (tc, test_category);
  tcase_add_test (tc, test_gift);
  tcase_add_test (tc, test_gift_not_sold);
  tcase_add_test (tc, test_manual_lines);
  tcase_add_test (tc, test_sale_discount);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("coupons");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_coupon_errors);
  tcase_add_test (tc, test_coupon_first);
  tcase_add_test (tc, test_restore);
  tcase_add_test (tc, test_held_sale);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("sale");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_sale);
  tcase_add_test (tc, test_coupon_used_meanwhile);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("returns");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_return_buy2get1);
  tcase_add_test (tc, test_return_gift);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("property");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 280);
  tcase_add_test (tc, test_property);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return till_test_run_suite (cart_promotions_suite ());
}
