/* bench-pricing.c: re-pricing a cart after each scan, 100 lines against
 * 1,000 active promotions of mixed kinds over a 20,000-SKU catalog
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "till-core.h"

#include "bench-util.h"

#define N_SKUS 20000
#define N_POPULAR 2000 /* what shoppers mostly buy, and promotions mostly target */
#define N_LEAF_CATEGORIES 200
#define N_TOP_CATEGORIES 20
#define N_BRANDS 300
#define N_PROMOTIONS 1000
#define N_LINES 100
#define N_BUILD_UPS 30

typedef struct
{
  char    *sku;
  char    *brand;
  GStrv    categories; /* leaf, then top */
  gint64   price;
  gint64   member_price;
  gboolean weighed;
} Product;

static GStrv
random_skus (GRand *rand, Product *catalog, guint n)
{
  GStrv skus = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    skus[i] = g_strdup (catalog[g_rand_int_range (rand, 0, N_POPULAR)].sku);
  return skus;
}

static GStrv
one (const char *text)
{
  GStrv strv = g_new0 (char *, 2);

  strv[0] = g_strdup (text);
  return strv;
}

/* 1,000 promotions, all active: line kinds on SKUs, categories and brands,
 * bundles and gifts, and sale-level ones in exclusive groups. */
static GPtrArray *
make_promotions (GRand *rand, Product *catalog)
{
  GPtrArray *promotions = g_ptr_array_new_with_free_func ((GDestroyNotify) till_promotion_free);

  for (guint i = 0; i < N_PROMOTIONS; i++)
    {
      g_autofree char  *code = g_strdup_printf ("P%04u", i);
      guint             slot = i % 20;
      TillPromotionKind kind;
      TillPromotion    *promotion;

      /* 14 of 20 line kinds, 2 bundles/gifts, 4 sale kinds. */
      static const TillPromotionKind kinds[20] = {
        TILL_PROMOTION_PERCENT_OFF,   TILL_PROMOTION_PERCENT_OFF,   TILL_PROMOTION_PERCENT_OFF,
        TILL_PROMOTION_FIXED_PRICE,   TILL_PROMOTION_FIXED_PRICE,   TILL_PROMOTION_BUY_X_GET_Y,
        TILL_PROMOTION_BUY_X_GET_Y,   TILL_PROMOTION_NTH_ITEM,      TILL_PROMOTION_NTH_ITEM,
        TILL_PROMOTION_MIX_AND_MATCH, TILL_PROMOTION_MIX_AND_MATCH, TILL_PROMOTION_MEMBER_PRICE,
        TILL_PROMOTION_TIER_DISCOUNT, TILL_PROMOTION_PERCENT_OFF,   TILL_PROMOTION_BUNDLE,
        TILL_PROMOTION_GIFT,          TILL_PROMOTION_THRESHOLD,     TILL_PROMOTION_THRESHOLD,
        TILL_PROMOTION_COUPON,        TILL_PROMOTION_SALE_DISCOUNT,
      };

      kind = kinds[slot];
      promotion = till_promotion_new (code, "促销", kind);
      promotion->priority = g_rand_int_range (rand, 0, 5);
      switch (g_rand_int_range (rand, 0, 10))
        {
        case 0:
          promotion->stacking = TILL_STACKING_EXCLUSIVE;
          break;
        case 1:
        case 2:
          promotion->stacking = TILL_STACKING_EXCLUSIVE_GROUP;
          promotion->stacking_group = g_strdup_printf ("g%d", g_rand_int_range (rand, 0, 10));
          break;
        default:
          promotion->stacking = TILL_STACKING_ALL;
          break;
        }
      /* Targets: half by SKU list, a third by category, the rest by brand. */
      switch (i % 6)
        {
        case 0:
        case 1:
        case 2:
          promotion->skus = random_skus (rand, catalog, g_rand_int_range (rand, 3, 30));
          break;
        case 3:
        case 4:
          promotion->categories =
              one (catalog[g_rand_int_range (rand, 0, N_POPULAR)].categories[0]);
          break;
        default:
          promotion->brands = one (catalog[g_rand_int_range (rand, 0, N_POPULAR)].brand);
          break;
        }
      if (g_rand_int_range (rand, 0, 4) == 0)
        promotion->excluded_skus = random_skus (rand, catalog, 2);

      promotion->percent_bp = g_rand_int_range (rand, 500, 5001);
      switch (kind)
        {
        case TILL_PROMOTION_FIXED_PRICE:
          promotion->fixed_price = g_rand_int_range (rand, 100, 2000);
          break;
        case TILL_PROMOTION_BUY_X_GET_Y:
          promotion->buy_quantity = g_rand_int_range (rand, 1, 4);
          promotion->get_quantity = 1;
          promotion->percent_bp = 10000;
          break;
        case TILL_PROMOTION_NTH_ITEM:
          promotion->nth_item = 2;
          break;
        case TILL_PROMOTION_MIX_AND_MATCH:
          promotion->mix_quantity = 3;
          promotion->mix_price = g_rand_int_range (rand, 500, 3000);
          break;
        case TILL_PROMOTION_TIER_DISCOUNT:
          promotion->tiers_only = one ("gold");
          break;
        case TILL_PROMOTION_BUNDLE:
          {
            gint64 quantity = 1;

            g_clear_pointer (&promotion->skus, g_strfreev);
            promotion->bundle_skus = random_skus (rand, catalog, 2);
            g_array_append_val (promotion->bundle_quantities, quantity);
            g_array_append_val (promotion->bundle_quantities, quantity);
            promotion->bundle_price = g_rand_int_range (rand, 500, 3000);
            break;
          }
        case TILL_PROMOTION_GIFT:
          promotion->gift_sku = g_strdup (catalog[N_SKUS - 1].sku);
          promotion->gift_quantity = 1000;
          promotion->min_quantity = 2000;
          break;
        case TILL_PROMOTION_THRESHOLD:
          {
            TillPromotionTier tiers[] = { { 10000, 1000 }, { 20000, 2500 }, { 50000, 8000 } };

            if (g_rand_boolean (rand))
              g_array_append_vals (promotion->tiers, tiers, G_N_ELEMENTS (tiers));
            else
              {
                promotion->every_amount = g_rand_int_range (rand, 5000, 20000);
                promotion->every_off = g_rand_int_range (rand, 300, 2000);
              }
            break;
          }
        case TILL_PROMOTION_COUPON:
          promotion->coupon_code = g_strdup_printf ("CPN%04u", i);
          promotion->amount_off = g_rand_int_range (rand, 500, 3000);
          promotion->min_amount = 10000;
          break;
        default:
          break;
        }
      /* Sale-level promotions come in a few exclusive groups, as chains run
       * them (one 满减 at a time), or alone. */
      if (kind == TILL_PROMOTION_THRESHOLD || kind == TILL_PROMOTION_SALE_DISCOUNT ||
          kind == TILL_PROMOTION_COUPON)
        {
          if (promotion->stacking == TILL_STACKING_ALL)
            {
              promotion->stacking = TILL_STACKING_EXCLUSIVE_GROUP;
              promotion->stacking_group = g_strdup_printf ("sale%d", g_rand_int_range (rand, 0, 3));
            }
        }
      if (kind == TILL_PROMOTION_SALE_DISCOUNT || kind == TILL_PROMOTION_COUPON)
        {
          g_clear_pointer (&promotion->skus, g_strfreev);
          g_clear_pointer (&promotion->categories, g_strfreev);
          g_clear_pointer (&promotion->brands, g_strfreev);
        }
      g_ptr_array_add (promotions, promotion);
    }
  return promotions;
}

int
main (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (8);
  g_autofree Product *catalog = g_new0 (Product, N_SKUS);
  g_autoptr (GPtrArray) promotions = NULL;
  g_autoptr (GArray) samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GTimeZone) zone = g_time_zone_new_offset (8 * 3600);
  g_autoptr (GDateTime) local = g_date_time_new (zone, 2026, 11, 23, 18, 30, 0);
  g_autoptr (GHashTable) uses = g_hash_table_new (g_str_hash, g_str_equal);
  char              *coupons[] = { "CPN0018", "CPN0038", NULL };
  TillPricingContext context = { 0 };
  TillPricingLine    lines[N_LINES];
  gint64             checksum = 0;
  guint              applied_total = 0;

  for (guint i = 0; i < N_SKUS; i++)
    {
      guint leaf = g_rand_int_range (rand, 0, N_LEAF_CATEGORIES);

      catalog[i].sku = g_strdup_printf ("69%011u", i);
      catalog[i].brand = g_strdup_printf ("品牌%u", g_rand_int_range (rand, 0, N_BRANDS));
      catalog[i].categories = g_new0 (char *, 3);
      catalog[i].categories[0] = g_strdup_printf ("%02u%02u", leaf % N_TOP_CATEGORIES, leaf);
      catalog[i].categories[1] = g_strdup_printf ("%02u", leaf % N_TOP_CATEGORIES);
      catalog[i].price = g_rand_int_range (rand, 100, 5000);
      catalog[i].member_price = g_rand_boolean (rand) ? catalog[i].price * 9 / 10 : 0;
      catalog[i].weighed = g_rand_int_range (rand, 0, 10) == 0;
    }
  promotions = make_promotions (rand, catalog);

  context.local_time = local;
  context.store_id = "S001";
  context.group_id = "G1";
  context.member_id = "M0001";
  context.member_tier = "gold";
  context.coupons = coupons;
  context.member_uses = uses;

  for (guint round = 0; round < N_BUILD_UPS; round++)
    {
      for (guint n = 0; n < N_LINES; n++)
        {
          /* Four scans in five are popular products. */
          guint              index = g_rand_int_range (rand, 0, 5) != 0
                                         ? (guint) g_rand_int_range (rand, 0, N_POPULAR)
                                         : (guint) g_rand_int_range (rand, 0, N_SKUS - 1);
          const Product     *product = &catalog[index];
          gint64             start;
          gint64             elapsed;
          TillPricingResult *result;

          memset (&lines[n], 0, sizeof lines[n]);
          lines[n].line_no = n + 1;
          lines[n].sku = product->sku;
          lines[n].categories = product->categories;
          lines[n].brand = product->brand;
          lines[n].quantity = product->weighed ? g_rand_int_range (rand, 100, 2000)
                                               : 1000 * g_rand_int_range (rand, 1, 4);
          lines[n].unit_price = product->price;
          lines[n].member_price = product->member_price;
          lines[n].weighed = product->weighed;

          start = bench_now_ns ();
          result = till_pricing_compute (lines, n + 1, promotions, &context);
          elapsed = bench_now_ns () - start;
          g_array_append_val (samples, elapsed);
          checksum += result->total;
          applied_total += result->applied->len;
          till_pricing_result_free (result);
        }
    }

  bench_sort (samples);
  g_print ("bench: pricing_promotions %u\n", N_PROMOTIONS);
  g_print ("bench: pricing_reprices %u\n", samples->len);
  g_print ("bench: pricing_applied_mean %.1f promotions\n", (double) applied_total / samples->len);
  g_print ("bench: pricing_reprice_p50 %.0f us\n", bench_percentile (samples, 0.50) / 1000.0);
  g_print ("bench: pricing_reprice_p99 %.0f us (target <= 1000 us)\n",
           bench_percentile (samples, 0.99) / 1000.0);
  g_print ("bench: pricing_reprice_max %.0f us\n", bench_percentile (samples, 1.0) / 1000.0);
  g_print ("bench: pricing_checksum %" G_GINT64_FORMAT "\n", checksum);

  for (guint i = 0; i < N_SKUS; i++)
    {
      g_free (catalog[i].sku);
      g_free (catalog[i].brand);
      g_strfreev (catalog[i].categories);
    }
  return 0;
}
