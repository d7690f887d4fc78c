/* test-pricing.c: tests for src/core/till-pricing.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "till-core.h"
#include "till-test-util.h"

/* Categories as the catalog gives them: the code, then its ancestors. */
static char *drinks[] = { "0101", "01", NULL };
static char *snacks[] = { "0201", "02", NULL };

static GPtrArray *
new_promotions (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) till_promotion_free);
}

static TillPromotion *
add_promotion (GPtrArray *promotions, const char *code, TillPromotionKind kind)
{
  TillPromotion *promotion = till_promotion_new (code, code, kind);

  g_ptr_array_add (promotions, promotion);
  return promotion;
}

static GStrv
strv (const char *first, ...)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  va_list       args;
  GStrv         result;

  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *))
    g_strv_builder_add (builder, s);
  va_end (args);
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

static void
add_tier (TillPromotion *promotion, gint64 min_amount, gint64 amount_off)
{
  TillPromotionTier tier = { min_amount, amount_off };

  g_array_append_val (promotion->tiers, tier);
}

static TillPricingLine
counted (
    guint line_no, const char *sku, GStrv categories, const char *brand, gint64 units, gint64 price)
{
  TillPricingLine line = { 0 };

  line.line_no = line_no;
  line.sku = sku;
  line.categories = categories;
  line.brand = brand;
  line.quantity = units * 1000;
  line.unit_price = price;
  return line;
}

/* Monday 2026-11-23 12:00 in the store's zone, store S001 of group G1. */
typedef struct
{
  TillPricingContext context;
  GDateTime         *local;
} Ctx;

static void
ctx_init (Ctx *ctx, int hour, int minute)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();

  memset (ctx, 0, sizeof *ctx);
  ctx->local = g_date_time_new (utc, 2026, 11, 23, hour, minute, 0);
  ctx->context.local_time = ctx->local;
  ctx->context.store_id = "S001";
  ctx->context.group_id = "G1";
}

static void
ctx_clear (Ctx *ctx)
{
  g_date_time_unref (ctx->local);
}

/* The invariants every result keeps. */
static void
check_invariants (const TillPricingResult *result)
{
  gint64 gross = 0;
  gint64 discount = 0;
  gint64 net = 0;
  gint64 saving = 0;
  g_autoptr (GHashTable) by_code = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  for (guint i = 0; i < result->lines->len; i++)
    {
      const TillPricingLineResult *line = g_ptr_array_index (result->lines, i);
      gint64                       shared = 0;

      /* Each line's shares name its discount, fen for fen, and each
       * promotion's shares over the lines add up to its saving. */
      for (guint k = 0; k < line->shares->len; k++)
        {
          const TillPricingShare *share = &g_array_index (line->shares, TillPricingShare, k);
          gint64                 *sum = g_hash_table_lookup (by_code, share->code);

          ck_assert_int_gt (share->amount, 0);
          if (sum == NULL)
            g_hash_table_insert (by_code, share->code, (sum = g_new0 (gint64, 1)));
          *sum += share->amount;
          shared += share->amount;
        }
      ck_assert_int_eq (shared, line->discount);
      ck_assert_int_ge (line->discount, 0);
      ck_assert_int_ge (line->net, 0);
      ck_assert_int_eq (line->gross - line->discount, line->net);
      gross += line->gross;
      discount += line->discount;
      net += line->net;
    }
  for (guint i = 0; i < result->applied->len; i++)
    {
      const TillPricingApplied *applied = g_ptr_array_index (result->applied, i);

      gint64 *shared = g_hash_table_lookup (by_code, applied->code);

      ck_assert_int_gt (applied->saving, 0);
      ck_assert_ptr_nonnull (shared);
      ck_assert_int_eq (*shared, applied->saving);
      saving += applied->saving;
    }
  ck_assert_int_eq (gross, result->gross);
  ck_assert_int_eq (discount, saving);
  ck_assert_int_eq (saving, result->saving);
  ck_assert_int_eq (net, result->total);
  ck_assert_int_eq (result->gross - result->saving, result->total);
  ck_assert_int_le (result->saving, result->gross);
  ck_assert_uint_le (result->hints->len, 3);
}

static TillPricingResult *
price (const TillPricingLine *lines, guint n_lines, GPtrArray *promotions, Ctx *ctx)
{
  TillPricingResult *result = till_pricing_compute (lines, n_lines, promotions, &ctx->context);

  ck_assert_ptr_nonnull (result);
  check_invariants (result);
  return result;
}

/* The saving alone, for the conditions that turn a promotion on and off. */
static gint64
saving_of (const TillPricingLine *lines, guint n_lines, GPtrArray *promotions, Ctx *ctx)
{
  g_autoptr (TillPricingResult) result = price (lines, n_lines, promotions, ctx);

  return result->saving;
}

static const TillPricingLineResult *
line_at (const TillPricingResult *result, guint index)
{
  return g_ptr_array_index (result->lines, index);
}

static const TillPricingShare *
share_at (const TillPricingLineResult *line, guint index)
{
  return &g_array_index (line->shares, TillPricingShare, index);
}

static const TillPricingApplied *
applied_at (const TillPricingResult *result, guint index)
{
  return g_ptr_array_index (result->applied, index);
}

/* A text form of the whole result, to compare two results. */
static char *
describe (const TillPricingResult *result)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "gross %" G_GINT64_FORMAT " saving %" G_GINT64_FORMAT "\n",
                          result->gross, result->saving);
  for (guint i = 0; i < result->lines->len; i++)
    {
      const TillPricingLineResult *line = line_at (result, i);

      g_string_append_printf (out, "line %u %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, line->line_no,
                              line->discount, line->net);
      for (guint k = 0; k < line->shares->len; k++)
        g_string_append_printf (out, " %s", share_at (line, k)->code);
      g_string_append_c (out, '\n');
    }
  for (guint i = 0; i < result->applied->len; i++)
    {
      const TillPricingApplied *applied = applied_at (result, i);

      g_string_append_printf (out, "applied %s %" G_GINT64_FORMAT " x%u [", applied->code,
                              applied->saving, applied->times);
      for (guint k = 0; k < applied->line_nos->len; k++)
        g_string_append_printf (out, " %u", g_array_index (applied->line_nos, guint, k));
      g_string_append (out, " ]\n");
    }
  for (guint i = 0; i < result->gifts->len; i++)
    {
      const TillPricingGift *gift = g_ptr_array_index (result->gifts, i);

      g_string_append_printf (out, "gift %s %s %" G_GINT64_FORMAT "\n", gift->code, gift->sku,
                              gift->quantity);
    }
  for (guint i = 0; i < result->hints->len; i++)
    {
      const TillPricingHint *hint = g_ptr_array_index (result->hints, i);

      g_string_append_printf (
          out, "hint %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
          hint->code, hint->missing_amount, hint->missing_quantity, hint->saving);
    }
  return g_string_free (out, FALSE);
}

/* /core/pricing/empty: no lines, no promotions. */
START_TEST (test_empty)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  Ctx ctx;
  g_autoptr (TillPricingResult) result = NULL;

  ctx_init (&ctx, 12, 0);
  result = price (NULL, 0, promotions, &ctx);
  ck_assert_uint_eq (result->lines->len, 0);
  ck_assert_int_eq (result->total, 0);
  ck_assert_uint_eq (result->applied->len, 0);
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/threshold-tiers: 满100减10, 满200减30. */
START_TEST (test_threshold_tiers)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion *threshold = add_promotion (promotions, "T1", TILL_PROMOTION_THRESHOLD);
  Ctx            ctx;

  add_tier (threshold, 10000, 1000);
  add_tier (threshold, 20000, 3000);
  ctx_init (&ctx, 12, 0);

  {
    /* 2 × ¥50 + 1 × ¥60 = ¥160: tier 1, ¥10 off, split 10000:6000 →
     * 625 and 375. */
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 2, 5000),
                                counted (2, "B", snacks, NULL, 1, 6000) };
    g_autoptr (TillPricingResult) result = price (lines, 2, promotions, &ctx);

    ck_assert_int_eq (result->gross, 16000);
    ck_assert_int_eq (result->saving, 1000);
    ck_assert_int_eq (line_at (result, 0)->discount, 625);
    ck_assert_int_eq (line_at (result, 1)->discount, 375);
    ck_assert_uint_eq (result->applied->len, 1);
    ck_assert_str_eq (applied_at (result, 0)->code, "T1");
    ck_assert_uint_eq (applied_at (result, 0)->line_nos->len, 2);
    /* ¥40 short of the ¥200 tier is within 30 %: hint for ¥30. */
    ck_assert_uint_eq (result->hints->len, 1);
    ck_assert_int_eq (((TillPricingHint *) g_ptr_array_index (result->hints, 0))->missing_amount,
                      4000);
    ck_assert_int_eq (((TillPricingHint *) g_ptr_array_index (result->hints, 0))->saving, 3000);
  }
  {
    /* ¥210: tier 2, ¥30 off. */
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 3, 7000) };
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 3000);
    ck_assert_int_eq (result->total, 18000);
    ck_assert_uint_eq (result->hints->len, 0);
  }
  {
    /* ¥60: no tier; ¥40 short of ¥100 is more than 30 %: no hint. */
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 6000) };
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 0);
    ck_assert_uint_eq (result->hints->len, 0);
  }
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/threshold-every: 每满100减15, repeats, per_sale_limit. */
START_TEST (test_threshold_every)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *every = add_promotion (promotions, "E1", TILL_PROMOTION_THRESHOLD);
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 5, 5000) };
  Ctx             ctx;

  every->every_amount = 10000;
  every->every_off = 1500;
  ctx_init (&ctx, 12, 0);
  {
    /* ¥250 = 2 × ¥100: ¥30 off, twice. */
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 3000);
    ck_assert_uint_eq (applied_at (result, 0)->times, 2);
  }
  every->per_sale_limit = 1;
  {
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 1500);
    ck_assert_uint_eq (applied_at (result, 0)->times, 1);
  }
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/percent-off: by category, by brand, with an excluded SKU. */
START_TEST (test_percent_off)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *by_category = add_promotion (promotions, "P1", TILL_PROMOTION_PERCENT_OFF);
  TillPricingLine lines[] = {
    counted (1, "COLA", drinks, "可口可乐", 3, 350),
    counted (2, "BREAD", snacks, "桃李", 1, 800),
    counted (3, "WATER", drinks, "农夫山泉", 2, 199),
  };
  Ctx ctx;

  /* 20 % off category 01 (an ancestor of 0101) except WATER:
   * 1050 × 0.2 = 210 on COLA only. */
  by_category->categories = strv ("01", NULL);
  by_category->excluded_skus = strv ("WATER", NULL);
  by_category->percent_bp = 2000;
  ctx_init (&ctx, 12, 0);
  {
    g_autoptr (TillPricingResult) result = price (lines, 3, promotions, &ctx);

    ck_assert_int_eq (result->saving, 210);
    ck_assert_int_eq (line_at (result, 0)->discount, 210);
    ck_assert_int_eq (line_at (result, 1)->discount, 0);
    ck_assert_int_eq (line_at (result, 2)->discount, 0);
    ck_assert_uint_eq (line_at (result, 0)->shares->len, 1);
    ck_assert_str_eq (share_at (line_at (result, 0), 0)->code, "P1");
  }
  /* By brand instead: 15 % of 398 = 59.7 → 60 on WATER. */
  g_clear_pointer (&by_category->categories, g_strfreev);
  g_clear_pointer (&by_category->excluded_skus, g_strfreev);
  by_category->brands = strv ("农夫山泉", NULL);
  by_category->percent_bp = 1500;
  {
    g_autoptr (TillPricingResult) result = price (lines, 3, promotions, &ctx);

    ck_assert_int_eq (result->saving, 60);
    ck_assert_int_eq (line_at (result, 2)->discount, 60);
  }
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/fixed-price: only when cheaper. */
START_TEST (test_fixed_price)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *fixed = add_promotion (promotions, "F1", TILL_PROMOTION_FIXED_PRICE);
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 2, 350),
                              counted (2, "B", drinks, NULL, 1, 250) };
  Ctx             ctx;

  /* Drinks at ¥3.00: A saves 2 × 50 = 100, B (¥2.50) is already cheaper. */
  fixed->categories = strv ("0101", NULL);
  fixed->fixed_price = 300;
  ctx_init (&ctx, 12, 0);
  {
    g_autoptr (TillPricingResult) result = price (lines, 2, promotions, &ctx);

    ck_assert_int_eq (result->saving, 100);
    ck_assert_int_eq (line_at (result, 0)->net, 600);
    ck_assert_int_eq (line_at (result, 1)->net, 250);
    ck_assert_uint_eq (applied_at (result, 0)->line_nos->len, 1);
    ck_assert_uint_eq (g_array_index (applied_at (result, 0)->line_nos, guint, 0), 1);
  }
  fixed->fixed_price = 400;
  {
    g_autoptr (TillPricingResult) result = price (lines, 2, promotions, &ctx);

    ck_assert_int_eq (result->saving, 0);
    ck_assert_uint_eq (result->applied->len, 0);
  }
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/gift: 买2送1 gift line, repeats per 2, capped by per_sale_limit. */
START_TEST (test_gift)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion *gift = add_promotion (promotions, "G1", TILL_PROMOTION_GIFT);
  Ctx            ctx;

  gift->skus = strv ("A", NULL);
  gift->min_quantity = 2000;
  gift->gift_sku = g_strdup ("GIFT");
  gift->gift_quantity = 1000;
  ctx_init (&ctx, 12, 0);
  {
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 500) };
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_uint_eq (result->gifts->len, 0);
  }
  {
    /* 5 units: 5 / 2 = 2 gifts, saving nothing. */
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 5, 500) };
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);
    const TillPricingGift *given;

    ck_assert_uint_eq (result->gifts->len, 1);
    given = g_ptr_array_index (result->gifts, 0);
    ck_assert_str_eq (given->sku, "GIFT");
    ck_assert_str_eq (given->code, "G1");
    ck_assert_int_eq (given->quantity, 2000);
    ck_assert_int_eq (result->saving, 0);
    ck_assert_uint_eq (result->applied->len, 0);
  }
  gift->per_sale_limit = 1;
  {
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 5, 500) };
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (((TillPricingGift *) g_ptr_array_index (result->gifts, 0))->quantity, 1000);
  }
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/buy-x-get-y: units dearest first, the last Y of each group of
 * X + Y given; repeats; at a percentage. */
START_TEST (test_buy_x_get_y)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion *b2g1 = add_promotion (promotions, "B1", TILL_PROMOTION_BUY_X_GET_Y);
  Ctx            ctx;

  b2g1->categories = strv ("01", NULL);
  b2g1->buy_quantity = 2;
  b2g1->get_quantity = 1;
  b2g1->percent_bp = 10000;
  ctx_init (&ctx, 12, 0);
  {
    /* Units 500 500 500 300: one group (500 500 500), its last free: 500.
     * The 300 is left over, and one short of the next group: a hint. */
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 3, 500),
                                counted (2, "B", drinks, NULL, 1, 300) };
    g_autoptr (TillPricingResult) result = price (lines, 2, promotions, &ctx);
    ck_assert_int_eq (result->saving, 500);
    ck_assert_uint_eq (applied_at (result, 0)->times, 1);
    /* Only line 1 made the group. */
    ck_assert_int_eq (line_at (result, 0)->discount, 500);
    ck_assert_int_eq (line_at (result, 1)->discount, 0);
    ck_assert_uint_eq (result->hints->len, 0);
  }
  {
    /* Units 500 × 5: one group and 2 left, one short of a second group:
     * saving 500 now; with a 6th unit 1000. */
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 5, 500) };
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);
    const TillPricingHint *hint;

    ck_assert_int_eq (result->saving, 500);
    ck_assert_uint_eq (result->hints->len, 1);
    hint = g_ptr_array_index (result->hints, 0);
    ck_assert_str_eq (hint->code, "B1");
    ck_assert_int_eq (hint->missing_quantity, 1000);
    ck_assert_int_eq (hint->saving, 1000);
  }
  {
    /* 6 units: two groups, 1000, times 2. */
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 6, 500) };
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 1000);
    ck_assert_uint_eq (applied_at (result, 0)->times, 2);
  }
  /* Buy 1 get 1 at half price: 2 × 499 → 249.5 → 250. */
  b2g1->buy_quantity = 1;
  b2g1->percent_bp = 5000;
  {
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 2, 499) };
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 250);
  }
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/nth-item: 第二件半价, weighed lines count as one unit. */
START_TEST (test_nth_item)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion *nth = add_promotion (promotions, "N1", TILL_PROMOTION_NTH_ITEM);
  Ctx            ctx;

  nth->categories = strv ("01", NULL);
  nth->nth_item = 2;
  nth->percent_bp = 5000;
  ctx_init (&ctx, 12, 0);
  {
    /* 900 then 500: the second (500) at half: 250. */
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 900),
                                counted (2, "B", drinks, NULL, 1, 500) };
    g_autoptr (TillPricingResult) result = price (lines, 2, promotions, &ctx);

    ck_assert_int_eq (result->saving, 250);
    /* Split over both lines by net: 250 × 900/1400 = 160.7, × 500/1400 = 89.3
     * → 160 and 89, the leftover fen to line 1 (remainder .7). */
    ck_assert_int_eq (line_at (result, 0)->discount, 161);
    ck_assert_int_eq (line_at (result, 1)->discount, 89);
  }
  {
    /* 4 × 600: two groups, 600. */
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 4, 600) };
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 600);
    ck_assert_uint_eq (applied_at (result, 0)->times, 2);
  }
  {
    /* A weighed line of 2.5 kg is one unit: alone it makes no group. */
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 1000) };
    g_autoptr (TillPricingResult) result = NULL;

    lines[0].quantity = 2500;
    lines[0].weighed = TRUE;
    result = price (lines, 1, promotions, &ctx);
    ck_assert_int_eq (result->gross, 2500);
    ck_assert_int_eq (result->saving, 0);
  }
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/mix-and-match: any 3 for ¥10, dearest units first, as long
 * as a group saves. */
START_TEST (test_mix_and_match)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion *mix = add_promotion (promotions, "M1", TILL_PROMOTION_MIX_AND_MATCH);
  Ctx            ctx;

  mix->categories = strv ("02", NULL);
  mix->mix_quantity = 3;
  mix->mix_price = 1000;
  ctx_init (&ctx, 12, 0);
  {
    /* Units 450 450 400 | 400 300 300: group 1 = 1300 → 300 saved; group 2
     * = 1000 saves nothing. */
    TillPricingLine lines[] = { counted (1, "A", snacks, NULL, 2, 450),
                                counted (2, "B", snacks, NULL, 2, 400),
                                counted (3, "C", snacks, NULL, 2, 300) };
    g_autoptr (TillPricingResult) result = price (lines, 3, promotions, &ctx);

    ck_assert_int_eq (result->saving, 300);
    ck_assert_uint_eq (applied_at (result, 0)->times, 1);
    /* The group used lines 1 and 2; line 3 is untouched. */
    ck_assert_uint_eq (applied_at (result, 0)->line_nos->len, 2);
    ck_assert_int_eq (line_at (result, 2)->discount, 0);
  }
  {
    /* 6 × 450: two groups of 1350 → 2 × 350 = 700. */
    TillPricingLine lines[] = { counted (1, "A", snacks, NULL, 6, 450) };
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 700);
    ck_assert_uint_eq (applied_at (result, 0)->times, 2);
  }
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/bundle: complete sets only. */
START_TEST (test_bundle)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion *bundle = add_promotion (promotions, "BD1", TILL_PROMOTION_BUNDLE);
  gint64         one = 1;
  gint64         two = 2;
  Ctx            ctx;

  /* 1 A + 2 B for ¥10. */
  bundle->bundle_skus = strv ("A", "B", NULL);
  g_array_append_val (bundle->bundle_quantities, one);
  g_array_append_val (bundle->bundle_quantities, two);
  bundle->bundle_price = 1000;
  ctx_init (&ctx, 12, 0);
  {
    /* 2 A at 600, 3 B at 300: one set (B limits): 600 + 600 − 1000 = 200. */
    TillPricingLine lines[] = { counted (1, "A", snacks, NULL, 2, 600),
                                counted (2, "B", snacks, NULL, 3, 300) };
    g_autoptr (TillPricingResult) result = price (lines, 2, promotions, &ctx);

    ck_assert_int_eq (result->saving, 200);
    ck_assert_uint_eq (applied_at (result, 0)->times, 1);
  }
  {
    /* No B: no set. */
    TillPricingLine lines[] = { counted (1, "A", snacks, NULL, 2, 600) };
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 0);
  }
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/member-price: only with a member, only when lower. */
START_TEST (test_member_price)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 2, 500),
                              counted (2, "B", drinks, NULL, 1, 500) };
  Ctx             ctx;

  add_promotion (promotions, "MP", TILL_PROMOTION_MEMBER_PRICE);
  lines[0].member_price = 450; /* 2 × 50 = 100 */
  lines[1].member_price = 0;   /* none */
  ctx_init (&ctx, 12, 0);
  {
    g_autoptr (TillPricingResult) result = price (lines, 2, promotions, &ctx);

    ck_assert_int_eq (result->saving, 0);
  }
  ctx.context.member_id = "M001";
  {
    g_autoptr (TillPricingResult) result = price (lines, 2, promotions, &ctx);

    ck_assert_int_eq (result->saving, 100);
    ck_assert_int_eq (line_at (result, 0)->net, 900);
    ck_assert_int_eq (line_at (result, 1)->net, 500);
  }
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/tier-discount: gold members get 10 %. */
START_TEST (test_tier_discount)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *tier = add_promotion (promotions, "TD", TILL_PROMOTION_TIER_DISCOUNT);
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 1235) };
  Ctx             ctx;

  tier->tiers_only = strv ("gold", NULL);
  tier->percent_bp = 1000;
  ctx_init (&ctx, 12, 0);
  {
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 0);
  }
  ctx.context.member_id = "M001";
  ctx.context.member_tier = "silver";
  {
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 0);
  }
  ctx.context.member_tier = "gold";
  {
    /* 1235 × 0.1 = 123.5 → 124. */
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 124);
  }
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/coupon: presented, minimum spend, capped at what is left. */
START_TEST (test_coupon)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion *coupon = add_promotion (promotions, "C1", TILL_PROMOTION_COUPON);
  g_auto (GStrv) presented = strv ("SAVE10", NULL);
  Ctx ctx;

  coupon->coupon_code = g_strdup ("SAVE10");
  coupon->amount_off = 1000;
  coupon->min_amount = 5000;
  ctx_init (&ctx, 12, 0);
  {
    /* Not presented. */
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 6000) };
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 0);
  }
  ctx.context.coupons = presented;
  {
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 6000) };
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 1000);
  }
  {
    /* Below the minimum spend. */
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 4999) };
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 0);
  }
  coupon->min_amount = 0;
  {
    /* ¥10 off a ¥8 sale: capped at ¥8, total 0. */
    TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 800) };
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 800);
    ck_assert_int_eq (result->total, 0);
  }
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/sale-discount: 5 % off the sale, after line promotions. */
START_TEST (test_sale_discount)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *sale = add_promotion (promotions, "S1", TILL_PROMOTION_SALE_DISCOUNT);
  TillPromotion  *fixed = add_promotion (promotions, "F1", TILL_PROMOTION_FIXED_PRICE);
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 10000),
                              counted (2, "B", snacks, NULL, 1, 2345) };
  Ctx             ctx;

  sale->percent_bp = 500;
  fixed->skus = strv ("A", NULL);
  fixed->fixed_price = 8000;
  ctx_init (&ctx, 12, 0);
  {
    /* Step 1: A at ¥80 (−2000). Step 2: 5 % of 8000 + 2345 = 517.25 → 517. */
    g_autoptr (TillPricingResult) result = price (lines, 2, promotions, &ctx);

    ck_assert_int_eq (result->saving, 2517);
    ck_assert_uint_eq (result->applied->len, 2);
    ck_assert_str_eq (applied_at (result, 0)->code, "F1");
    ck_assert_int_eq (applied_at (result, 1)->saving, 517);
    /* 517 over 8000 : 2345 → 399.8 and 117.2 → 399 + 1 and 117. */
    ck_assert_int_eq (line_at (result, 0)->discount, 2000 + 400);
    ck_assert_int_eq (line_at (result, 1)->discount, 117);
    ck_assert_uint_eq (line_at (result, 0)->shares->len, 2);
  }
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/split-to-the-fen: 100 over three equal lines: 34 33 33, the
 * leftover to the lowest line number. */
START_TEST (test_split)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *threshold = add_promotion (promotions, "T1", TILL_PROMOTION_THRESHOLD);
  TillPricingLine lines[] = { counted (7, "C", drinks, NULL, 1, 1000),
                              counted (3, "A", drinks, NULL, 1, 1000),
                              counted (5, "B", drinks, NULL, 1, 1000) };
  Ctx             ctx;
  g_autoptr (TillPricingResult) result = NULL;

  add_tier (threshold, 3000, 100);
  ctx_init (&ctx, 12, 0);
  result = price (lines, 3, promotions, &ctx);
  ck_assert_int_eq (result->saving, 100);
  /* In the input's order: line 7, 3, 5. */
  ck_assert_uint_eq (line_at (result, 0)->line_no, 7);
  ck_assert_int_eq (line_at (result, 0)->discount, 33);
  ck_assert_int_eq (line_at (result, 1)->discount, 34);
  ck_assert_int_eq (line_at (result, 2)->discount, 33);
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/manual-price: a hand-priced line is left alone. */
START_TEST (test_manual_price)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *sale = add_promotion (promotions, "S1", TILL_PROMOTION_SALE_DISCOUNT);
  TillPromotion  *percent = add_promotion (promotions, "P1", TILL_PROMOTION_PERCENT_OFF);
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 1000),
                              counted (2, "B", drinks, NULL, 1, 1000) };
  Ctx             ctx;
  g_autoptr (TillPricingResult) result = NULL;

  sale->percent_bp = 1000;
  percent->percent_bp = 2000;
  lines[1].manual_price = TRUE;
  ctx_init (&ctx, 12, 0);
  result = price (lines, 2, promotions, &ctx);
  /* Line 1: 20 % (200), then 10 % of 800 (80). Line 2 untouched. */
  ck_assert_int_eq (line_at (result, 0)->discount, 280);
  ck_assert_int_eq (line_at (result, 1)->discount, 0);
  ck_assert_int_eq (line_at (result, 1)->net, 1000);
  ck_assert_uint_eq (line_at (result, 1)->shares->len, 0);
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/conditions: store scope, member only, min quantity and
 * amount, per-member limit. */
START_TEST (test_conditions)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *percent = add_promotion (promotions, "P1", TILL_PROMOTION_PERCENT_OFF);
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 2, 1000) };
  g_autoptr (GHashTable) uses = g_hash_table_new (g_str_hash, g_str_equal);
  Ctx ctx;

  percent->percent_bp = 1000; /* 10 % of 2000 = 200 */
  ctx_init (&ctx, 12, 0);

  ck_assert_int_eq (saving_of (lines, 1, promotions, &ctx), 200);
  /* Other stores only. */
  percent->stores = strv ("S002", NULL);
  ck_assert_int_eq (saving_of (lines, 1, promotions, &ctx), 0);
  /* … or our group. */
  percent->store_groups = strv ("G1", NULL);
  ck_assert_int_eq (saving_of (lines, 1, promotions, &ctx), 200);
  g_clear_pointer (&percent->stores, g_strfreev);
  g_clear_pointer (&percent->store_groups, g_strfreev);

  percent->member_only = TRUE;
  ck_assert_int_eq (saving_of (lines, 1, promotions, &ctx), 0);
  ctx.context.member_id = "M1";
  ck_assert_int_eq (saving_of (lines, 1, promotions, &ctx), 200);

  /* Needs 3 units, or ¥20.01 of the targets. */
  percent->min_quantity = 3000;
  ck_assert_int_eq (saving_of (lines, 1, promotions, &ctx), 0);
  percent->min_quantity = 2000;
  ck_assert_int_eq (saving_of (lines, 1, promotions, &ctx), 200);
  percent->min_amount = 2001;
  ck_assert_int_eq (saving_of (lines, 1, promotions, &ctx), 0);
  percent->min_amount = 2000;
  ck_assert_int_eq (saving_of (lines, 1, promotions, &ctx), 200);

  /* Used twice of twice allowed. */
  percent->per_member_limit = 2;
  g_hash_table_insert (uses, "P1", GINT_TO_POINTER (2));
  ctx.context.member_uses = uses;
  ck_assert_int_eq (saving_of (lines, 1, promotions, &ctx), 0);
  g_hash_table_insert (uses, "P1", GINT_TO_POINTER (1));
  ck_assert_int_eq (saving_of (lines, 1, promotions, &ctx), 200);
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/per-member-limit-caps-repeats: 1 use left of 3: one group. */
START_TEST (test_per_member_cap)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *nth = add_promotion (promotions, "N1", TILL_PROMOTION_NTH_ITEM);
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 6, 1000) };
  g_autoptr (GHashTable) uses = g_hash_table_new (g_str_hash, g_str_equal);
  Ctx ctx;
  g_autoptr (TillPricingResult) result = NULL;

  nth->nth_item = 2;
  nth->percent_bp = 5000;
  nth->per_member_limit = 3;
  g_hash_table_insert (uses, "N1", GINT_TO_POINTER (2));
  ctx_init (&ctx, 12, 0);
  ctx.context.member_id = "M1";
  ctx.context.member_uses = uses;
  result = price (lines, 1, promotions, &ctx);
  ck_assert_int_eq (result->saving, 500);
  ck_assert_uint_eq (applied_at (result, 0)->times, 1);
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/window-across-midnight: 22:00–02:00 happy hour. */
START_TEST (test_window_midnight)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion      *sale = add_promotion (promotions, "NIGHT", TILL_PROMOTION_SALE_DISCOUNT);
  TillPromotionWindow window = { 22 * 60, 2 * 60 };
  TillPricingLine     lines[] = { counted (1, "A", drinks, NULL, 1, 1000) };
  struct
  {
    int    hour, minute;
    gint64 saving;
  } cases[] = { { 23, 30, 100 }, { 1, 59, 100 }, { 2, 0, 0 },
                { 12, 0, 0 },    { 21, 59, 0 },  { 22, 0, 100 } };

  sale->percent_bp = 1000;
  g_array_append_val (sale->windows, window);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Ctx ctx;
      g_autoptr (TillPricingResult) result = NULL;

      ctx_init (&ctx, cases[i].hour, cases[i].minute);
      result = price (lines, 1, promotions, &ctx);
      ck_assert_msg (result->saving == cases[i].saving, "%02d:%02d saved %" G_GINT64_FORMAT,
                     cases[i].hour, cases[i].minute, result->saving);
      ctx_clear (&ctx);
    }
}
END_TEST

/* /core/pricing/stacking-exclusive-wins: an exclusive 20 % (2000) beats a
 * stack of 10 % + ¥5 (1000 + 450 = 1450). */
START_TEST (test_exclusive_beats_stack)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *exclusive = add_promotion (promotions, "X1", TILL_PROMOTION_SALE_DISCOUNT);
  TillPromotion  *percent = add_promotion (promotions, "P1", TILL_PROMOTION_PERCENT_OFF);
  TillPromotion  *threshold = add_promotion (promotions, "T1", TILL_PROMOTION_THRESHOLD);
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 10000) };
  Ctx             ctx;

  exclusive->stacking = TILL_STACKING_EXCLUSIVE;
  exclusive->percent_bp = 2000;
  percent->percent_bp = 1000;
  add_tier (threshold, 5000, 500);
  ctx_init (&ctx, 12, 0);
  {
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 2000);
    ck_assert_uint_eq (result->applied->len, 1);
    ck_assert_str_eq (applied_at (result, 0)->code, "X1");
  }
  /* /core/pricing/stacking-stack-wins: at 12 % (1200) the stack (1000 +
   * 500 on 9000 left = 1500) wins. */
  exclusive->percent_bp = 1200;
  {
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 1500);
    ck_assert_uint_eq (result->applied->len, 2);
    ck_assert_str_eq (applied_at (result, 0)->code, "P1");
    ck_assert_str_eq (applied_at (result, 1)->code, "T1");
  }
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/stacking-group: one per exclusive group, the best. */
START_TEST (test_exclusive_group)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *small = add_promotion (promotions, "T1", TILL_PROMOTION_THRESHOLD);
  TillPromotion  *big = add_promotion (promotions, "T2", TILL_PROMOTION_THRESHOLD);
  TillPromotion  *other = add_promotion (promotions, "S1", TILL_PROMOTION_SALE_DISCOUNT);
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 10000) };
  Ctx             ctx;
  g_autoptr (TillPricingResult) result = NULL;

  small->stacking = big->stacking = TILL_STACKING_EXCLUSIVE_GROUP;
  small->stacking_group = g_strdup ("满减");
  big->stacking_group = g_strdup ("满减");
  add_tier (small, 5000, 500);
  add_tier (big, 8000, 800);
  other->percent_bp = 1000;
  ctx_init (&ctx, 12, 0);
  /* Greedy: S1 saves 1000 first, then T2 800 on 9000 left (min_amount is
   * measured after line promotions, 10000): 1800; T1 is out. */
  result = price (lines, 1, promotions, &ctx);
  ck_assert_int_eq (result->saving, 1800);
  ck_assert_uint_eq (result->applied->len, 2);
  ck_assert_str_eq (applied_at (result, 0)->code, "S1");
  ck_assert_str_eq (applied_at (result, 1)->code, "T2");
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/stacking-per-line: two line promotions on one line: the
 * better one takes it. */
START_TEST (test_line_competition)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *percent = add_promotion (promotions, "P1", TILL_PROMOTION_PERCENT_OFF);
  TillPromotion  *fixed = add_promotion (promotions, "F1", TILL_PROMOTION_FIXED_PRICE);
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 2, 1000),
                              counted (2, "B", snacks, NULL, 1, 1000) };
  Ctx             ctx;
  g_autoptr (TillPricingResult) result = NULL;

  /* P1: 10 % on everything (300). F1: A at ¥7 (600). Greedy: F1 takes line
   * 1 (600), then P1 on line 2 only (100). */
  percent->percent_bp = 1000;
  fixed->skus = strv ("A", NULL);
  fixed->fixed_price = 700;
  ctx_init (&ctx, 12, 0);
  result = price (lines, 2, promotions, &ctx);
  ck_assert_int_eq (result->saving, 700);
  ck_assert_int_eq (line_at (result, 0)->discount, 600);
  ck_assert_int_eq (line_at (result, 1)->discount, 100);
  ck_assert_uint_eq (line_at (result, 0)->shares->len, 1);
  ck_assert_str_eq (share_at (line_at (result, 0), 0)->code, "F1");
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/tie-break: equal savings: higher priority, then lower code. */
START_TEST (test_tie_break)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *b = add_promotion (promotions, "XB", TILL_PROMOTION_SALE_DISCOUNT);
  TillPromotion  *a = add_promotion (promotions, "XA", TILL_PROMOTION_SALE_DISCOUNT);
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 1000) };
  Ctx             ctx;

  a->stacking = b->stacking = TILL_STACKING_EXCLUSIVE;
  a->percent_bp = b->percent_bp = 1000;
  ctx_init (&ctx, 12, 0);
  {
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_str_eq (applied_at (result, 0)->code, "XA");
  }
  b->priority = 5;
  {
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_str_eq (applied_at (result, 0)->code, "XB");
  }
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/date-range: valid_from inclusive, valid_until exclusive. */
START_TEST (test_date_range)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *sale = add_promotion (promotions, "S1", TILL_PROMOTION_SALE_DISCOUNT);
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 1000) };
  Ctx             ctx;
  gint64          noon_us;

  ctx_init (&ctx, 12, 0);
  noon_us = g_date_time_to_unix (ctx.local) * G_USEC_PER_SEC;
  sale->percent_bp = 1000;
  sale->valid_from_us = noon_us;
  sale->valid_until_us = noon_us + G_USEC_PER_SEC;
  ck_assert_int_eq (saving_of (lines, 1, promotions, &ctx), 100);
  sale->valid_from_us = noon_us + 1;
  ck_assert_int_eq (saving_of (lines, 1, promotions, &ctx), 0);
  sale->valid_from_us = noon_us - G_USEC_PER_SEC;
  sale->valid_until_us = noon_us;
  ck_assert_int_eq (saving_of (lines, 1, promotions, &ctx), 0);
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/per-sale-limit: buy 1 get 1 at most twice a sale. */
START_TEST (test_per_sale_limit)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *b1g1 = add_promotion (promotions, "B1", TILL_PROMOTION_BUY_X_GET_Y);
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 7, 300) };
  Ctx             ctx;
  g_autoptr (TillPricingResult) result = NULL;

  b1g1->skus = strv ("A", NULL);
  b1g1->buy_quantity = 1;
  b1g1->get_quantity = 1;
  b1g1->percent_bp = 10000;
  b1g1->per_sale_limit = 2;
  ctx_init (&ctx, 12, 0);
  /* 7 units: 3 groups possible, 2 allowed: 600. */
  result = price (lines, 1, promotions, &ctx);
  ck_assert_int_eq (result->saving, 600);
  ck_assert_uint_eq (applied_at (result, 0)->times, 2);
  /* No hint: the limit is reached. */
  ck_assert_uint_eq (result->hints->len, 0);
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/gift-group: a gift sharing an exclusive group with a
 * threshold gives way to the threshold, which saves money. */
START_TEST (test_gift_group)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *gift = add_promotion (promotions, "G1", TILL_PROMOTION_GIFT);
  TillPromotion  *threshold = add_promotion (promotions, "T1", TILL_PROMOTION_THRESHOLD);
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 2, 5000) };
  Ctx             ctx;

  gift->gift_sku = g_strdup ("GIFT");
  gift->stacking = threshold->stacking = TILL_STACKING_EXCLUSIVE_GROUP;
  gift->stacking_group = g_strdup ("g");
  threshold->stacking_group = g_strdup ("g");
  add_tier (threshold, 10000, 800);
  gift->priority = 9;
  ctx_init (&ctx, 12, 0);
  {
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 800);
    ck_assert_uint_eq (result->gifts->len, 0);
  }
  /* Below the threshold the gift has the group. */
  lines[0].quantity = 1000;
  {
    g_autoptr (TillPricingResult) result = price (lines, 1, promotions, &ctx);

    ck_assert_int_eq (result->saving, 0);
    ck_assert_uint_eq (result->gifts->len, 1);
  }
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/zero-price-line: a gift line at 0 takes no share and makes
 * no multi-buy group. */
START_TEST (test_zero_price_line)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPromotion  *nth = add_promotion (promotions, "N1", TILL_PROMOTION_NTH_ITEM);
  TillPromotion  *sale = add_promotion (promotions, "S1", TILL_PROMOTION_SALE_DISCOUNT);
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 1000),
                              counted (2, "A", drinks, NULL, 1, 0) };
  Ctx             ctx;
  g_autoptr (TillPricingResult) result = NULL;

  nth->nth_item = 2;
  nth->percent_bp = 5000;
  sale->percent_bp = 1000;
  ctx_init (&ctx, 12, 0);
  /* Only the 10 % applies, all on line 1. */
  result = price (lines, 2, promotions, &ctx);
  ck_assert_int_eq (result->saving, 100);
  ck_assert_int_eq (line_at (result, 0)->discount, 100);
  ck_assert_int_eq (line_at (result, 1)->discount, 0);
  ck_assert_uint_eq (result->applied->len, 1);
  ctx_clear (&ctx);
}
END_TEST

/* A random promotion over SKUs S0..S19, categories C0..C3, brands B0..B2. */
static void
add_random_promotion (GPtrArray *promotions, GRand *rand, guint index)
{
  static const char *skus[] = { "S0", "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9" };
  static const char *groups[] = { "g1", "g2" };
  g_autofree char   *code = g_strdup_printf ("R%03u", index);
  TillPromotionKind  kind = (TillPromotionKind) g_rand_int_range (rand, 0, 12);
  TillPromotion     *promotion = add_promotion (promotions, code, kind);
  gint64             one = 1;

  promotion->priority = g_rand_int_range (rand, 0, 3);
  promotion->stacking = (TillStacking) g_rand_int_range (rand, 0, 3);
  if (promotion->stacking == TILL_STACKING_EXCLUSIVE_GROUP)
    promotion->stacking_group = g_strdup (groups[g_rand_int_range (rand, 0, 2)]);
  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0:
      promotion->skus =
          strv (skus[g_rand_int_range (rand, 0, 10)], skus[g_rand_int_range (rand, 0, 10)], NULL);
      break;
    case 1:
      promotion->categories = strv (g_rand_boolean (rand) ? "C0" : "C1", NULL);
      break;
    case 2:
      promotion->brands = strv (g_rand_boolean (rand) ? "B0" : "B1", NULL);
      break;
    default:
      break;
    }
  if (g_rand_int_range (rand, 0, 5) == 0)
    promotion->excluded_skus = strv (skus[g_rand_int_range (rand, 0, 10)], NULL);
  promotion->percent_bp = g_rand_int_range (rand, 1, 10001);
  promotion->fixed_price = g_rand_int_range (rand, 1, 3000);
  promotion->every_amount = g_rand_boolean (rand) ? g_rand_int_range (rand, 1000, 10000) : 0;
  promotion->every_off = g_rand_int_range (rand, 1, 3000);
  add_tier (promotion, g_rand_int_range (rand, 0, 5000), g_rand_int_range (rand, 1, 2000));
  add_tier (promotion, g_rand_int_range (rand, 5000, 20000), g_rand_int_range (rand, 1, 5000));
  promotion->gift_sku = g_strdup ("GIFT");
  promotion->buy_quantity = g_rand_int_range (rand, 1, 4);
  promotion->get_quantity = g_rand_int_range (rand, 1, 3);
  promotion->nth_item = g_rand_int_range (rand, 2, 4);
  promotion->mix_quantity = g_rand_int_range (rand, 2, 5);
  promotion->mix_price = g_rand_int_range (rand, 100, 3000);
  promotion->bundle_skus =
      strv (skus[g_rand_int_range (rand, 0, 5)], skus[g_rand_int_range (rand, 5, 10)], NULL);
  g_array_append_val (promotion->bundle_quantities, one);
  g_array_append_val (promotion->bundle_quantities, one);
  promotion->bundle_price = g_rand_int_range (rand, 100, 3000);
  promotion->amount_off = g_rand_boolean (rand) ? g_rand_int_range (rand, 1, 5000) : 0;
  promotion->coupon_code = g_strdup ("CPN");
  promotion->min_amount = g_rand_int_range (rand, 0, 4) == 0 ? g_rand_int_range (rand, 0, 8000) : 0;
  promotion->per_sale_limit = g_rand_int_range (rand, 0, 3);
}

/* /core/pricing/property-random-carts: 2,000 random carts and promotion sets
 * keep every invariant, and the promotions' order never matters. */
START_TEST (test_property)
{
  static const char *skus[] = { "S0", "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9" };
  static char       *categories[][3] = { { "C0", "C2", NULL },
                                         { "C1", "C2", NULL },
                                         { "C3", NULL, NULL } };
  static const char *brands[] = { "B0", "B1", "B2", NULL };
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261123);
  g_auto (GStrv) coupons = strv ("CPN", NULL);
  Ctx   ctx;
  guint discounted = 0;
  guint with_gifts = 0;

  ctx_init (&ctx, 12, 0);
  ctx.context.coupons = coupons;
  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr (GPtrArray) promotions = new_promotions ();
      g_autoptr (GPtrArray) shuffled = g_ptr_array_new ();
      guint           n_lines = g_rand_int_range (rand, 0, 15);
      guint           n_promotions = g_rand_int_range (rand, 0, 12);
      TillPricingLine lines[16];
      g_autoptr (TillPricingResult) result = NULL;
      g_autoptr (TillPricingResult) again = NULL;
      g_autofree char *first = NULL;
      g_autofree char *second = NULL;

      ctx.context.member_id = g_rand_boolean (rand) ? "M1" : NULL;
      for (guint l = 0; l < n_lines; l++)
        {
          lines[l] = counted (l + 1, skus[g_rand_int_range (rand, 0, 10)],
                              categories[g_rand_int_range (rand, 0, 3)],
                              brands[g_rand_int_range (rand, 0, 4)], g_rand_int_range (rand, 1, 6),
                              g_rand_int_range (rand, 1, 5000));
          if (g_rand_int_range (rand, 0, 6) == 0)
            {
              lines[l].weighed = TRUE;
              lines[l].quantity = g_rand_int_range (rand, 1, 3000);
            }
          lines[l].member_price = g_rand_boolean (rand) ? g_rand_int_range (rand, 0, 5000) : 0;
          lines[l].manual_price = g_rand_int_range (rand, 0, 10) == 0;
        }
      for (guint p = 0; p < n_promotions; p++)
        add_random_promotion (promotions, rand, p);

      result = price (lines, n_lines, promotions, &ctx);
      for (guint l = 0; l < n_lines; l++)
        if (lines[l].manual_price)
          ck_assert_int_eq (line_at (result, l)->discount, 0);

      /* The same promotions in another order: the same result. */
      for (guint p = 0; p < promotions->len; p++)
        g_ptr_array_add (shuffled, g_ptr_array_index (promotions, p));
      for (guint p = shuffled->len; p > 1; p--)
        {
          guint    k = g_rand_int_range (rand, 0, (gint32) p);
          gpointer t = shuffled->pdata[p - 1];

          shuffled->pdata[p - 1] = shuffled->pdata[k];
          shuffled->pdata[k] = t;
        }
      again = price (lines, n_lines, shuffled, &ctx);
      discounted += result->saving > 0;
      with_gifts += result->gifts->len > 0;
      first = describe (result);
      second = describe (again);
      ck_assert_str_eq (first, second);
    }
  /* The random sets really exercise the engine. */
  ck_assert_uint_gt (discounted, 1000);
  ck_assert_uint_gt (with_gifts, 50);
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/determinism: a fixed cart against a fixed mixed set, in
 * reversed order, gives the same result. */
START_TEST (test_determinism)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  g_autoptr (GPtrArray) reversed = g_ptr_array_new ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  TillPricingLine lines[] = { counted (1, "S1", NULL, "B0", 3, 1234),
                              counted (2, "S2", NULL, "B1", 2, 999),
                              counted (3, "S5", NULL, "B0", 4, 350) };
  Ctx             ctx;
  g_autoptr (TillPricingResult) forward = NULL;
  g_autoptr (TillPricingResult) backward = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  for (guint p = 0; p < 40; p++)
    add_random_promotion (promotions, rand, p);
  for (guint p = promotions->len; p > 0; p--)
    g_ptr_array_add (reversed, g_ptr_array_index (promotions, p - 1));
  ctx_init (&ctx, 12, 0);
  forward = price (lines, 3, promotions, &ctx);
  backward = price (lines, 3, reversed, &ctx);
  a = describe (forward);
  b = describe (backward);
  ck_assert_str_eq (a, b);
  ck_assert_int_gt (forward->saving, 0);
  ctx_clear (&ctx);
}
END_TEST

/* /core/pricing/hints: at most 3, the closest first. */
START_TEST (test_hints)
{
  g_autoptr (GPtrArray) promotions = new_promotions ();
  TillPricingLine lines[] = { counted (1, "A", drinks, NULL, 1, 9000) };
  Ctx             ctx;
  g_autoptr (TillPricingResult) result = NULL;

  /* ¥90: four thresholds ¥10 off at ¥95, ¥100, ¥110, ¥115 (missing 5, 10,
   * 20, 25 of those: 5.3 %, 10 %, 18.2 %, 21.7 %). */
  add_tier (add_promotion (promotions, "H4", TILL_PROMOTION_THRESHOLD), 11500, 1000);
  add_tier (add_promotion (promotions, "H1", TILL_PROMOTION_THRESHOLD), 9500, 1000);
  add_tier (add_promotion (promotions, "H3", TILL_PROMOTION_THRESHOLD), 11000, 1000);
  add_tier (add_promotion (promotions, "H2", TILL_PROMOTION_THRESHOLD), 10000, 1000);
  for (guint i = 0; i < promotions->len; i++)
    ((TillPromotion *) g_ptr_array_index (promotions, i))->stacking = TILL_STACKING_EXCLUSIVE;
  ctx_init (&ctx, 12, 0);
  result = price (lines, 1, promotions, &ctx);
  ck_assert_int_eq (result->saving, 0);
  ck_assert_uint_eq (result->hints->len, 3);
  ck_assert_str_eq (((TillPricingHint *) g_ptr_array_index (result->hints, 0))->code, "H1");
  ck_assert_int_eq (((TillPricingHint *) g_ptr_array_index (result->hints, 0))->missing_amount,
                    500);
  ck_assert_str_eq (((TillPricingHint *) g_ptr_array_index (result->hints, 1))->code, "H2");
  ck_assert_str_eq (((TillPricingHint *) g_ptr_array_index (result->hints, 2))->code, "H3");
  ctx_clear (&ctx);
}
END_TEST

static Suite *
pricing_suite (void)
{
  Suite *suite = suite_create ("/core/pricing");
  TCase *kinds = tcase_create ("kinds");
  TCase *conditions = tcase_create ("conditions");
  TCase *stacking = tcase_create ("stacking");
  TCase *properties = tcase_create ("properties");

  tcase_add_test (kinds, test_empty);
  tcase_add_test (kinds, test_threshold_tiers);
  tcase_add_test (kinds, test_threshold_every);
  tcase_add_test (kinds, test_percent_off);
  tcase_add_test (kinds, test_fixed_price);
  tcase_add_test (kinds, test_gift);
  tcase_add_test (kinds, test_buy_x_get_y);
  tcase_add_test (kinds, test_nth_item);
  tcase_add_test (kinds, test_mix_and_match);
  tcase_add_test (kinds, test_bundle);
  tcase_add_test (kinds, test_member_price);
  tcase_add_test (kinds, test_tier_discount);
  tcase_add_test (kinds, test_coupon);
  tcase_add_test (kinds, test_sale_discount);
  tcase_add_test (kinds, test_split);
  suite_add_tcase (suite, kinds);

  tcase_add_test (conditions, test_manual_price);
  tcase_add_test (conditions, test_conditions);
  tcase_add_test (conditions, test_per_member_cap);
  tcase_add_test (conditions, test_window_midnight);
  tcase_add_test (conditions, test_date_range);
  tcase_add_test (conditions, test_per_sale_limit);
  tcase_add_test (conditions, test_zero_price_line);
  suite_add_tcase (suite, conditions);

  tcase_add_test (stacking, test_exclusive_beats_stack);
  tcase_add_test (stacking, test_exclusive_group);
  tcase_add_test (stacking, test_line_competition);
  tcase_add_test (stacking, test_tie_break);
  tcase_add_test (stacking, test_gift_group);
  suite_add_tcase (suite, stacking);

  tcase_set_timeout (properties, 120);
  tcase_add_test (properties, test_property);
  tcase_add_test (properties, test_determinism);
  tcase_add_test (properties, test_hints);
  suite_add_tcase (suite, properties);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (pricing_suite ());
}
