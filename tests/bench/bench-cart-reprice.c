/* bench-cart-reprice.c: the full path of a scan with promotions: a 100-line
 * cart against 1,000 active promotions in a real store, timing each
 * till_cart_add_product() (the journal write and the re-price after it)
 *
 * Usage: bench-cart-reprice [SCRATCH-PARENT-DIR]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "till-core.h"

#include "bench-util.h"

#define N_SKUS 2000
#define N_LEAF_CATEGORIES 100
#define N_TOP_CATEGORIES 10
#define N_BRANDS 100
#define N_PROMOTIONS 1000
#define N_LINES 100
#define N_CARTS 20
#define TARGET_US 1000

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static GStrv
one (const char *text)
{
  GStrv strv = g_new0 (char *, 2);

  strv[0] = g_strdup (text);
  return strv;
}

static char *
sku_name (guint i)
{
  return g_strdup_printf ("S%05u", i);
}

/* Categories L000.. (codes) under T00.., products spread over them with
 * brands B000.. */
static gboolean
fill_catalog (TillStore *store, TillCatalog *catalog, GRand *rand, GError **error)
{
  gint64 top_ids[N_TOP_CATEGORIES];
  gint64 leaf_ids[N_LEAF_CATEGORIES];

  if (!till_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < N_TOP_CATEGORIES; i++)
    {
      g_autofree char *code = g_strdup_printf ("T%02u", i);

      top_ids[i] = till_catalog_add_category (catalog, 0, code, error);
      if (top_ids[i] == 0 || !till_catalog_set_category_code (catalog, top_ids[i], code, error))
        return FALSE;
    }
  for (guint i = 0; i < N_LEAF_CATEGORIES; i++)
    {
      g_autofree char *code = g_strdup_printf ("L%03u", i);

      leaf_ids[i] = till_catalog_add_category (catalog, top_ids[i % N_TOP_CATEGORIES], code, error);
      if (leaf_ids[i] == 0 || !till_catalog_set_category_code (catalog, leaf_ids[i], code, error))
        return FALSE;
    }
  for (guint i = 0; i < N_SKUS; i++)
    {
      g_autofree char *sku = sku_name (i);
      g_autofree char *brand = g_strdup_printf ("B%03u", g_rand_int_range (rand, 0, N_BRANDS));
      gint64           price = g_rand_int_range (rand, 100, 5000);
      TillProductSpec  spec = {
         .sku = sku,
         .name = "商品",
         .unit = "个",
         .brand = brand,
         .category_id = leaf_ids[g_rand_int_range (rand, 0, N_LEAF_CATEGORIES)],
         .price = price,
         .member_price = price * 9 / 10,
         .vat_rate = 1300,
         .active = TRUE,
      };

      if (till_catalog_add_product (catalog, &spec, error) == 0)
        return FALSE;
    }
  return till_store_commit (store, error);
}

/* 1,000 promotions of every kind, all active, the way bench-pricing.c makes
 * them: line kinds on SKUs, categories and brands, bundles and gifts, and
 * sale kinds in exclusive groups. */
static TillPromotion *
make_promotion (GRand *rand, guint i)
{
  g_autofree char *code = g_strdup_printf ("P%04u", i);
  g_autofree char *sku = sku_name (g_rand_int_range (rand, 0, N_SKUS));
  TillPromotion   *promotion = NULL;

  switch (i % 20)
    {
    case 0:
    case 1:
    case 2:
      promotion = till_promotion_new (code, "折扣", TILL_PROMOTION_PERCENT_OFF);
      promotion->skus = one (sku);
      promotion->percent_bp = g_rand_int_range (rand, 500, 5000);
      break;
    case 3:
      {
        g_autofree char *category = g_strdup_printf ("L%03u", i % N_LEAF_CATEGORIES);

        promotion = till_promotion_new (code, "品类折扣", TILL_PROMOTION_PERCENT_OFF);
        promotion->categories = one (category);
        promotion->percent_bp = g_rand_int_range (rand, 500, 2000);
        break;
      }
    case 4:
      {
        g_autofree char *brand = g_strdup_printf ("B%03u", i % N_BRANDS);

        promotion = till_promotion_new (code, "品牌折扣", TILL_PROMOTION_PERCENT_OFF);
        promotion->brands = one (brand);
        promotion->percent_bp = g_rand_int_range (rand, 500, 2000);
        break;
      }
    case 5:
    case 6:
      promotion = till_promotion_new (code, "特价", TILL_PROMOTION_FIXED_PRICE);
      promotion->skus = one (sku);
      promotion->fixed_price = g_rand_int_range (rand, 50, 100);
      break;
    case 7:
    case 8:
      promotion = till_promotion_new (code, "买二送一", TILL_PROMOTION_BUY_X_GET_Y);
      promotion->skus = one (sku);
      promotion->buy_quantity = 2;
      promotion->get_quantity = 1;
      promotion->percent_bp = 10000;
      break;
    case 9:
    case 10:
      promotion = till_promotion_new (code, "第二件半价", TILL_PROMOTION_NTH_ITEM);
      promotion->skus = one (sku);
      promotion->nth_item = 2;
      promotion->percent_bp = 5000;
      break;
    case 11:
    case 12:
      {
        g_autofree char *category = g_strdup_printf ("T%02u", i % N_TOP_CATEGORIES);

        promotion = till_promotion_new (code, "任选3件", TILL_PROMOTION_MIX_AND_MATCH);
        promotion->categories = one (category);
        promotion->mix_quantity = 3;
        promotion->mix_price = g_rand_int_range (rand, 300, 1500);
        break;
      }
    case 13:
      promotion = till_promotion_new (code, "会员价", TILL_PROMOTION_MEMBER_PRICE);
      promotion->skus = one (sku);
      break;
    case 14:
      {
        g_autofree char *other = sku_name (g_rand_int_range (rand, 0, N_SKUS));
        gint64           quantity = 1;

        promotion = till_promotion_new (code, "组合价", TILL_PROMOTION_BUNDLE);
        promotion->bundle_skus = g_new0 (char *, 3);
        promotion->bundle_skus[0] = g_strdup (sku);
        promotion->bundle_skus[1] = g_strdup (other);
        g_array_append_val (promotion->bundle_quantities, quantity);
        g_array_append_val (promotion->bundle_quantities, quantity);
        promotion->bundle_price = g_rand_int_range (rand, 100, 2000);
        break;
      }
    case 15:
      {
        g_autofree char *gift = sku_name (g_rand_int_range (rand, 0, N_SKUS));

        promotion = till_promotion_new (code, "赠品", TILL_PROMOTION_GIFT);
        promotion->skus = one (sku);
        promotion->min_quantity = 2 * TILL_QUANTITY_ONE;
        promotion->gift_sku = g_strdup (gift);
        promotion->gift_quantity = TILL_QUANTITY_ONE;
        break;
      }
    case 16:
    case 17:
      {
        TillPromotionTier tiers[] = { { 10000, 1000 }, { 20000, 2500 }, { 50000, 8000 } };

        promotion = till_promotion_new (code, "满减", TILL_PROMOTION_THRESHOLD);
        g_array_append_vals (promotion->tiers, tiers, G_N_ELEMENTS (tiers));
        promotion->stacking = TILL_STACKING_EXCLUSIVE_GROUP;
        promotion->stacking_group = g_strdup_printf ("G%u", i % 5);
        break;
      }
    case 18:
      promotion = till_promotion_new (code, "优惠券", TILL_PROMOTION_COUPON);
      promotion->coupon_code = g_strdup_printf ("CP%04u", i);
      promotion->amount_off = 500;
      break;
    default:
      promotion = till_promotion_new (code, "整单折扣", TILL_PROMOTION_SALE_DISCOUNT);
      promotion->percent_bp = g_rand_int_range (rand, 100, 1000);
      promotion->stacking = TILL_STACKING_EXCLUSIVE_GROUP;
      promotion->stacking_group = g_strdup_printf ("G%u", i % 5);
      break;
    }
  promotion->priority = g_rand_int_range (rand, 0, 10);
  return promotion;
}

static gboolean
fill_promotions (TillStore *store, GRand *rand, guint *out_valid, GError **error)
{
  sqlite3_stmt *stmt = NULL;

  *out_valid = 0;
  if (!till_store_begin (store, error))
    return FALSE;
  if (sqlite3_prepare_v2 (till_store_get_db (store),
                          "INSERT INTO promotion (code, data, updated_us) VALUES (?, ?, 0)", -1,
                          &stmt, NULL) != SQLITE_OK)
    {
      till_store_set_error (store, error, "Cannot write the promotions");
      return FALSE;
    }
  for (guint i = 0; i < N_PROMOTIONS; i++)
    {
      g_autoptr (TillPromotion) promotion = make_promotion (rand, i);
      g_autofree char *json = NULL;

      if (!till_promotion_validate (promotion, NULL))
        continue;
      json = till_promotion_to_json (promotion);
      sqlite3_bind_text (stmt, 1, promotion->code, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, json, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          sqlite3_finalize (stmt);
          till_store_set_error (store, error, "Cannot write the promotions");
          return FALSE;
        }
      sqlite3_reset (stmt);
      (*out_valid)++;
    }
  sqlite3_finalize (stmt);
  return till_store_commit (store, error);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillCatalog) catalog = NULL;
  g_autoptr (TillCart) cart = NULL;
  g_autoptr (GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GArray) add_us = g_array_sized_new (FALSE, FALSE, sizeof (gint64), N_LINES * N_CARTS);
  g_autoptr (GArray) reprice_us =
      g_array_sized_new (FALSE, FALSE, sizeof (gint64), N_LINES * N_CARTS);
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261123);
  guint  n_valid = 0;
  gint64 p99;
  gint64 saving_sum = 0;

  if (argc > 1)
    {
      dir = g_build_filename (argv[1], "opentill-bench-XXXXXX", NULL);
      if (g_mkdtemp (dir) == NULL)
        g_clear_pointer (&dir, g_free);
    }
  else
    dir = g_dir_make_tmp ("opentill-bench-XXXXXX", &error);
  if (dir == NULL)
    {
      g_printerr ("Cannot make a scratch directory: %s\n", error ? error->message : "");
      return EXIT_FAILURE;
    }
  db_path = g_build_filename (dir, "till.db", NULL);
  store = till_store_open (db_path, &error);
  if (store == NULL)
    goto failed;
  catalog = till_catalog_new (store);
  if (!fill_catalog (store, catalog, rand, &error) ||
      !fill_promotions (store, rand, &n_valid, &error))
    goto failed;
  for (guint i = 0; i < N_SKUS; i++)
    {
      g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, i + 1, &error);

      if (product == NULL)
        goto failed;
      g_ptr_array_add (products, g_steal_pointer (&product));
    }

  cart = till_cart_new (store, catalog);
  if (!till_cart_restore (cart, &error))
    goto failed;
  g_print ("bench: promotions_active %u count\n", n_valid);
  {
    /* What a new sale costs in reading the promotions (done once per sale,
     * after the commit, not per scan). */
    gint64 started = bench_now_ns ();

    if (!till_cart_reload_promotions (cart, &error))
      goto failed;
    g_print ("bench: promotions_load %" G_GINT64_FORMAT " us\n",
             (bench_now_ns () - started) / 1000);
  }

  for (guint c = 0; c < N_CARTS; c++)
    {
      /* Each scan a product of its own (a new line), now and then a second
       * unit of one already in the cart (multi-buys kick in). */
      for (guint l = 0; l < N_LINES; l++)
        {
          TillProduct *product = g_ptr_array_index (
              products, g_rand_int_range (rand, 0, l > 0 && l % 5 == 0 ? 300 : N_SKUS));
          gint64 started = bench_now_ns ();
          gint64 elapsed;

          if (till_cart_add_product (cart, product, TILL_QUANTITY_ONE, &error) == NULL)
            goto failed;
          elapsed = (bench_now_ns () - started) / 1000;
          g_array_append_val (add_us, elapsed);

          /* The re-price alone, without the journal write: setting the
           * (same, absent) member prices the cart again and writes nothing. */
          started = bench_now_ns ();
          till_cart_set_member (cart, NULL, NULL, NULL);
          elapsed = (bench_now_ns () - started) / 1000;
          g_array_append_val (reprice_us, elapsed);
        }
      saving_sum += till_cart_get_promotion_saving (cart);
      if (!till_cart_clear (cart, &error))
        goto failed;
    }

  bench_sort (add_us);
  p99 = bench_percentile (add_us, 0.99);
  /* A whole scan: the journaled line (an fsync'd commit, whose cost is the
   * disk's) and the re-price. The target is the re-price's, below. */
  g_print ("bench: cart_scan_p50 %" G_GINT64_FORMAT " us\n", bench_percentile (add_us, 0.50));
  g_print ("bench: cart_scan_p99 %" G_GINT64_FORMAT " us\n", p99);
  g_print ("bench: cart_scan_max %" G_GINT64_FORMAT " us\n",
           g_array_index (add_us, gint64, add_us->len - 1));
  bench_sort (reprice_us);
  g_print ("bench: cart_reprice_only_p50 %" G_GINT64_FORMAT " us\n",
           bench_percentile (reprice_us, 0.50));
  g_print ("bench: cart_reprice_only_p99 %" G_GINT64_FORMAT " us (target <= %d us)\n",
           bench_percentile (reprice_us, 0.99), TARGET_US);
  g_print ("bench: cart_saving_mean %" G_GINT64_FORMAT " fen\n", saving_sum / N_CARTS);

  g_clear_object (&cart);
  g_clear_object (&catalog);
  g_clear_object (&store);
  remove_tree (dir);
  return EXIT_SUCCESS;

failed:
  g_printerr ("bench-cart-reprice: %s\n", error ? error->message : "failed");
  g_clear_object (&cart);
  g_clear_object (&catalog);
  g_clear_object (&store);
  remove_tree (dir);
  return EXIT_FAILURE;
}
