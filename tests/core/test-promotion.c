/* test-promotion.c: tests for src/core/till-promotion.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

/* Says which error came instead, when another did. */
#define ck_assert_error(error, domain, code)                                                \
  ck_assert_msg (g_error_matches ((error), (domain), (code)), "expected error %d, got: %s", \
                 (int) (code), (error) != NULL ? (error)->message : "no error")

static char        *scratch;
static char        *db_path;
static char        *key_path;
static TillStore   *store;
static TillJournal *journal;
static TillUser    *manager;

static TillUser *
make_user (const char *code, const char *name, TillRole role, const char *pin)
{
  g_autoptr (GError) error = NULL;
  TillUser *user;

  ck_assert_msg (till_user_create (store, code, name, role, pin, &error) > 0, "%s",
                 error ? error->message : "");
  user = till_user_authenticate (store, code, pin, &error);
  ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  return user;
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  manager = make_user ("9001", "李经理", TILL_ROLE_MANAGER, "9999");
}

static void
teardown (void)
{
  g_clear_object (&manager);
  g_clear_object (&journal);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&key_path, g_free);
}

static gint64
count_rows (const char *sql, const char *text)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static void set_strv (GStrv *field, const char *first, ...) G_GNUC_NULL_TERMINATED;

static void
set_strv (GStrv *field, const char *first, ...)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  va_list args;

  va_start (args, first);
  for (const char *value = first; value != NULL; value = va_arg (args, const char *))
    g_strv_builder_add (builder, value);
  va_end (args);
  g_strfreev (*field);
  *field = g_strv_builder_end (builder);
}

static void
add_tier (TillPromotion *promotion, gint64 min_amount, gint64 amount_off)
{
  TillPromotionTier tier = { min_amount, amount_off };

  g_array_append_val (promotion->tiers, tier);
}

static void
add_window (TillPromotion *promotion, guint start_minute, guint end_minute)
{
  TillPromotionWindow window = { start_minute, end_minute };

  g_array_append_val (promotion->windows, window);
}

static void
add_bundle_item (TillPromotion *promotion, const char *sku, gint64 quantity)
{
  guint n = promotion->bundle_skus != NULL ? g_strv_length (promotion->bundle_skus) : 0;

  promotion->bundle_skus = g_renew (char *, promotion->bundle_skus, n + 2);
  promotion->bundle_skus[n] = g_strdup (sku);
  promotion->bundle_skus[n + 1] = NULL;
  g_array_append_val (promotion->bundle_quantities, quantity);
}

/* A promotion of @kind as a manager would rightly set it up. */
static TillPromotion *
make_good (TillPromotionKind kind)
{
  g_autofree char *code = g_strdup_printf ("P-%s", till_promotion_kind_to_string (kind));
  TillPromotion   *promotion = till_promotion_new (code, "好促销", kind);

  switch (kind)
    {
    case TILL_PROMOTION_THRESHOLD:
      add_tier (promotion, 10000, 1000);
      add_tier (promotion, 20000, 2500);
      break;
    case TILL_PROMOTION_PERCENT_OFF:
      promotion->percent_bp = 2000;
      set_strv (&promotion->categories, "drinks", NULL);
      break;
    case TILL_PROMOTION_FIXED_PRICE:
      promotion->fixed_price = 990;
      set_strv (&promotion->skus, "C001", NULL);
      break;
    case TILL_PROMOTION_GIFT:
      promotion->gift_sku = g_strdup ("G001");
      promotion->gift_quantity = 1000;
      promotion->min_amount = 5000;
      break;
    case TILL_PROMOTION_BUY_X_GET_Y:
      promotion->buy_quantity = 2;
      promotion->get_quantity = 1;
      promotion->percent_bp = 10000;
      set_strv (&promotion->brands, "农夫山泉", NULL);
      break;
    case TILL_PROMOTION_NTH_ITEM:
      promotion->nth_item = 2;
      promotion->percent_bp = 5000;
      set_strv (&promotion->skus, "C001", "C002", NULL);
      break;
    case TILL_PROMOTION_MIX_AND_MATCH:
      promotion->mix_quantity = 3;
      promotion->mix_price = 1000;
      set_strv (&promotion->categories, "snacks", NULL);
      break;
    case TILL_PROMOTION_BUNDLE:
      add_bundle_item (promotion, "B1", 1);
      add_bundle_item (promotion, "B2", 2);
      promotion->bundle_price = 1500;
      break;
    case TILL_PROMOTION_MEMBER_PRICE:
      promotion->member_only = TRUE;
      break;
    case TILL_PROMOTION_TIER_DISCOUNT:
      set_strv (&promotion->tiers_only, "gold", NULL);
      promotion->percent_bp = 1000;
      break;
    case TILL_PROMOTION_COUPON:
      promotion->coupon_code = g_strdup ("SAVE10");
      promotion->amount_off = 1000;
      promotion->min_amount = 5000;
      break;
    case TILL_PROMOTION_SALE_DISCOUNT:
      promotion->percent_bp = 500;
      break;
    default:
      ck_abort_msg ("no good promotion for kind %d", (int) kind);
    }
  return promotion;
}

/* ------------------------------------------------------------ kinds, copy */

/* /core/promotion/kind-names */
START_TEST (test_kind_names)
{
  static const char *const expected[] = {
    "threshold",     "percent-off", "fixed-price",  "gift",          "buy-x-get-y", "nth-item",
    "mix-and-match", "bundle",      "member-price", "tier-discount", "coupon",      "sale-discount",
  };
  TillPromotionKind kind = TILL_PROMOTION_GIFT;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      TillPromotionKind parsed = TILL_PROMOTION_THRESHOLD;

      ck_assert_str_eq (till_promotion_kind_to_string ((TillPromotionKind) i), expected[i]);
      ck_assert (till_promotion_kind_from_string (expected[i], &parsed));
      ck_assert_int_eq (parsed, i);
    }
  ck_assert (!till_promotion_kind_from_string ("half-price", &kind));
  ck_assert (!till_promotion_kind_from_string (NULL, &kind));
  ck_assert_int_eq (kind, TILL_PROMOTION_GIFT);
}
END_TEST

/* /core/promotion/copy: every string, list and array is the copy's own. */
START_TEST (test_copy)
{
  g_autoptr (TillPromotion) original = make_good (TILL_PROMOTION_BUNDLE);
  g_autoptr (TillPromotion) copy = NULL;

  original->stacking = TILL_STACKING_EXCLUSIVE_GROUP;
  original->stacking_group = g_strdup ("周末");
  set_strv (&original->excluded_skus, "X1", NULL);
  set_strv (&original->stores, "S1", NULL);
  add_window (original, 600, 720);
  add_tier (original, 100, 1);
  original->coupon_code = g_strdup ("ABC");
  original->gift_sku = g_strdup ("G");

  copy = till_promotion_copy (original);
  ck_assert_ptr_ne (copy->code, original->code);
  ck_assert_ptr_ne (copy->bundle_skus, original->bundle_skus);
  ck_assert_ptr_ne (copy->bundle_quantities, original->bundle_quantities);
  ck_assert_ptr_ne (copy->windows, original->windows);
  ck_assert_ptr_ne (copy->tiers, original->tiers);
  ck_assert_ptr_ne (copy->stacking_group, original->stacking_group);

  /* Changing the original leaves the copy as it was. */
  g_array_index (original->bundle_quantities, gint64, 1) = 7;
  g_array_index (original->windows, TillPromotionWindow, 0).start_minute = 0;
  original->bundle_skus[0][0] = 'Z';
  g_clear_pointer (&original, till_promotion_free);

  ck_assert_str_eq (copy->code, "P-bundle");
  ck_assert_str_eq (copy->name, "好促销");
  ck_assert_str_eq (copy->stacking_group, "周末");
  ck_assert_str_eq (copy->bundle_skus[0], "B1");
  ck_assert_str_eq (copy->bundle_skus[1], "B2");
  ck_assert_int_eq (g_array_index (copy->bundle_quantities, gint64, 1), 2);
  ck_assert_int_eq (g_array_index (copy->windows, TillPromotionWindow, 0).start_minute, 600);
  ck_assert_int_eq (g_array_index (copy->tiers, TillPromotionTier, 0).min_amount, 100);
  ck_assert_str_eq (copy->excluded_skus[0], "X1");
  ck_assert_str_eq (copy->stores[0], "S1");
  ck_assert_str_eq (copy->coupon_code, "ABC");
  ck_assert_str_eq (copy->gift_sku, "G");
  ck_assert_int_eq (copy->bundle_price, 1500);
}
END_TEST

/* ------------------------------------------------------------- validation */

static gint64
local_us (int year, int month, int day, int hour, int minute)
{
  g_autoptr (GDateTime) local = g_date_time_new_local (year, month, day, hour, minute, 0);

  return g_date_time_to_unix (local) * G_USEC_PER_SEC;
}

/* /core/promotion/validate/accepts: a good promotion of every kind. */
START_TEST (test_validate_accepts)
{
  for (int kind = TILL_PROMOTION_THRESHOLD; kind <= TILL_PROMOTION_SALE_DISCOUNT; kind++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillPromotion) promotion = make_good ((TillPromotionKind) kind);

      ck_assert_msg (till_promotion_validate (promotion, &error), "%s: %s",
                     till_promotion_kind_to_string (kind), error ? error->message : "");
    }
  {
    /* Every X save Y, a percentage coupon, a window across midnight and the
     * whole day are fine too. */
    g_autoptr (GError) error = NULL;
    g_autoptr (TillPromotion) every =
        till_promotion_new ("E", "每满100减10", TILL_PROMOTION_THRESHOLD);
    g_autoptr (TillPromotion) coupon = make_good (TILL_PROMOTION_COUPON);

    every->every_amount = 10000;
    every->every_off = 1000;
    set_strv (&every->excluded_skus, "TOBACCO", NULL);
    add_window (every, 22 * 60, 2 * 60);
    add_window (every, 0, 24 * 60);
    ck_assert_msg (till_promotion_validate (every, &error), "%s", error ? error->message : "");
    coupon->amount_off = 0;
    coupon->percent_bp = 1000;
    ck_assert_msg (till_promotion_validate (coupon, &error), "%s", error ? error->message : "");

    /* Friday nights only, over one Saturday morning: Friday's window reaches
     * into it. */
    g_array_set_size (every->windows, 1);
    every->weekdays = 1u << G_DATE_FRIDAY;
    every->valid_from_us = local_us (2026, 11, 21, 0, 0);
    every->valid_until_us = local_us (2026, 11, 21, 2, 0);
    ck_assert_msg (till_promotion_validate (every, &error), "%s", error ? error->message : "");
    g_array_set_size (every->windows, 0);
    ck_assert (!till_promotion_validate (every, NULL));
  }
}
END_TEST

/* Breaks one rule on a good promotion; returns what the message must name. */
static const char *
break_rule (int rule, TillPromotion **out)
{
  TillPromotion *p = NULL;

#define KIND(k) (p = make_good (TILL_PROMOTION_##k))
  switch (rule)
    {
    case 0:
      KIND (PERCENT_OFF)->percent_bp = 0;
      *out = p;
      return "percent_bp";
    case 1:
      KIND (SALE_DISCOUNT)->percent_bp = 10001;
      *out = p;
      return "10001";
    case 2:
      g_array_set_size (KIND (THRESHOLD)->tiers, 0);
      add_tier (p, 20000, 1000);
      add_tier (p, 10000, 500);
      *out = p;
      return "must rise";
    case 3:
      g_array_set_size (KIND (THRESHOLD)->tiers, 0);
      add_tier (p, 1000, 2000);
      *out = p;
      return "amount_off";
    case 4:
      g_array_set_size (KIND (THRESHOLD)->tiers, 0);
      add_tier (p, 10000, 1000);
      add_tier (p, 20000, 1000);
      *out = p;
      return "no more than the tier";
    case 5:
      KIND (THRESHOLD)->every_amount = 10000;
      p->every_off = 1000;
      *out = p;
      return "every_amount";
    case 6:
      g_array_set_size (KIND (THRESHOLD)->tiers, 0);
      *out = p;
      return "every_amount";
    case 7:
      g_array_set_size (KIND (THRESHOLD)->tiers, 0);
      p->every_amount = 1000;
      p->every_off = 2000;
      *out = p;
      return "every_off";
    case 8:
      KIND (PERCENT_OFF)->valid_from_us = 2000000;
      p->valid_until_us = 1000000;
      *out = p;
      return "valid_until_us";
    case 9:
      KIND (PERCENT_OFF)->valid_from_us = 2000000;
      p->valid_until_us = 2000000;
      *out = p;
      return "valid_until_us";
    case 10:
      add_window (KIND (PERCENT_OFF), 600, 600);
      *out = p;
      return "10:00–10:00";
    case 11:
      add_window (KIND (PERCENT_OFF), 24 * 60, 60);
      *out = p;
      return "windows";
    case 12:
      KIND (PERCENT_OFF)->stacking = TILL_STACKING_EXCLUSIVE_GROUP;
      *out = p;
      return "stacking_group";
    case 13:
      g_clear_pointer (&KIND (GIFT)->gift_sku, g_free);
      *out = p;
      return "gift_sku";
    case 14:
      KIND (GIFT)->gift_quantity = 0;
      *out = p;
      return "gift_quantity";
    case 15:
      KIND (BUY_X_GET_Y)->buy_quantity = 0;
      *out = p;
      return "buy_quantity";
    case 16:
      KIND (BUY_X_GET_Y)->get_quantity = -1;
      *out = p;
      return "get_quantity";
    case 17:
      KIND (NTH_ITEM)->nth_item = 1;
      *out = p;
      return "nth_item";
    case 18:
      KIND (MIX_AND_MATCH)->mix_quantity = 1;
      *out = p;
      return "mix_quantity";
    case 19:
      KIND (MIX_AND_MATCH)->mix_price = 0;
      *out = p;
      return "mix_price";
    case 20:
      g_clear_pointer (&KIND (BUNDLE)->bundle_skus, g_strfreev);
      *out = p;
      return "bundle";
    case 21:
      g_array_set_size (KIND (BUNDLE)->bundle_quantities, 1);
      *out = p;
      return "quantities";
    case 22:
      g_array_index (KIND (BUNDLE)->bundle_quantities, gint64, 1) = 0;
      *out = p;
      return "SKU B2";
    case 23:
      add_bundle_item (KIND (BUNDLE), "B1", 1);
      *out = p;
      return "SKU B1 twice";
    case 24:
      set_strv (&KIND (FIXED_PRICE)->excluded_skus, "C001", NULL);
      *out = p;
      return "excluded_skus";
    case 25:
      g_free (KIND (COUPON)->coupon_code);
      p->coupon_code = g_strdup ("  ");
      *out = p;
      return "coupon_code";
    case 26:
      KIND (COUPON)->percent_bp = 1000;
      *out = p;
      return "percent_bp";
    case 27:
      KIND (COUPON)->amount_off = 0;
      *out = p;
      return "amount_off";
    case 28:
      KIND (COUPON)->amount_off = 6000;
      *out = p;
      return "min_amount";
    case 29:
      set_strv (&KIND (THRESHOLD)->skus, "C001", NULL);
      *out = p;
      return "skus";
    case 30:
      g_clear_pointer (&KIND (TIER_DISCOUNT)->tiers_only, g_strfreev);
      *out = p;
      return "tiers_only";
    case 31:
      KIND (FIXED_PRICE)->fixed_price = 0;
      *out = p;
      return "fixed_price";
    case 32:
      KIND (GIFT)->min_amount = -5;
      *out = p;
      return "min_amount";
    case 33:
      KIND (PERCENT_OFF)->per_sale_limit = -1;
      *out = p;
      return "per_sale_limit";
    case 34:
      KIND (PERCENT_OFF)->weekdays = 1u << 0;
      *out = p;
      return "weekdays";
    case 35:
      p = till_promotion_new ("", "无代码", TILL_PROMOTION_MEMBER_PRICE);
      *out = p;
      return "code";
    case 36:
      p = till_promotion_new ("P-noname", NULL, TILL_PROMOTION_MEMBER_PRICE);
      *out = p;
      return "name";
    case 37:
      set_strv (&KIND (FIXED_PRICE)->skus, "C001", "", NULL);
      *out = p;
      return "skus";
    case 38:
      set_strv (&KIND (BUNDLE)->excluded_skus, "B2", NULL);
      *out = p;
      return "SKU B2";
    case 39:
      KIND (PERCENT_OFF)->valid_from_us = -1;
      *out = p;
      return "valid_from_us";
    case 40:
      KIND (NTH_ITEM)->percent_bp = 0;
      *out = p;
      return "percent_bp";
    case 41:
      KIND (TIER_DISCOUNT)->percent_bp = 20000;
      *out = p;
      return "percent_bp";
    case 42:
      /* Saturdays only, from Monday to Wednesday. */
      KIND (PERCENT_OFF)->weekdays = 1u << G_DATE_SATURDAY;
      p->valid_from_us = local_us (2026, 11, 16, 0, 0);
      p->valid_until_us = local_us (2026, 11, 18, 0, 0);
      *out = p;
      return "weekdays";
    default:
      *out = NULL;
      return NULL;
    }
#undef KIND
}

#define N_RULES 43

/* /core/promotion/validate/refuses: each contradiction on its own, with a
 * message naming the field or value. */
START_TEST (test_validate_refuses)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPromotion) promotion = NULL;
  const char *names = break_rule (_i, &promotion);

  ck_assert_ptr_nonnull (promotion);
  ck_assert_msg (!till_promotion_validate (promotion, &error), "rule %d was accepted", _i);
  ck_assert_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_INVALID);
  ck_assert_msg (strstr (error->message, names) != NULL, "rule %d: “%s” does not name %s", _i,
                 error->message, names);
}
END_TEST

/* ------------------------------------------------------------------ times */

static gboolean
active_at (const TillPromotion *promotion, int day, int hour, int minute)
{
  /* 2026-11-16 is a Monday: day 16 + n is weekday n + 1. */
  g_autoptr (GDateTime) local = g_date_time_new_local (2026, 11, day, hour, minute, 0);

  ck_assert_ptr_nonnull (local);
  return till_promotion_is_active_at (promotion, local);
}

/* /core/promotion/active/window-across-midnight */
START_TEST (test_window_across_midnight)
{
  g_autoptr (TillPromotion) promotion = make_good (TILL_PROMOTION_PERCENT_OFF);

  add_window (promotion, 22 * 60, 2 * 60);
  ck_assert (active_at (promotion, 20, 23, 30));
  ck_assert (active_at (promotion, 21, 1, 0));
  ck_assert (active_at (promotion, 20, 22, 0));
  ck_assert (active_at (promotion, 21, 1, 59));
  ck_assert (!active_at (promotion, 20, 12, 0));
  ck_assert (!active_at (promotion, 21, 2, 0));
  ck_assert (!active_at (promotion, 20, 21, 59));

  /* A window to the end of the day ends at midnight. */
  {
    g_autoptr (TillPromotion) evening = make_good (TILL_PROMOTION_PERCENT_OFF);

    add_window (evening, 18 * 60, 24 * 60);
    ck_assert (active_at (evening, 20, 23, 59));
    ck_assert (!active_at (evening, 21, 0, 0));
  }

  /* A second window (happy hour at noon) adds to the first. */
  add_window (promotion, 11 * 60 + 30, 13 * 60);
  ck_assert (active_at (promotion, 20, 12, 0));
  ck_assert (!active_at (promotion, 20, 13, 0));
}
END_TEST

/* /core/promotion/active/weekdays: the day counts, and a window across
 * midnight belongs to the day it starts on. */
START_TEST (test_weekdays)
{
  g_autoptr (TillPromotion) promotion = make_good (TILL_PROMOTION_PERCENT_OFF);

  promotion->weekdays = 1u << G_DATE_FRIDAY;
  ck_assert (active_at (promotion, 20, 12, 0));  /* Friday */
  ck_assert (!active_at (promotion, 21, 12, 0)); /* Saturday */
  ck_assert (!active_at (promotion, 19, 12, 0)); /* Thursday */

  add_window (promotion, 22 * 60, 2 * 60);
  ck_assert (active_at (promotion, 20, 23, 30));  /* Friday night */
  ck_assert (active_at (promotion, 21, 1, 0));    /* Saturday 01:00: Friday's window */
  ck_assert (!active_at (promotion, 20, 1, 0));   /* Friday 01:00: Thursday's window */
  ck_assert (!active_at (promotion, 21, 23, 30)); /* Saturday night */

  /* Sunday night's window runs into Monday. */
  promotion->weekdays = 1u << G_DATE_SUNDAY;
  ck_assert (active_at (promotion, 22, 23, 0));
  ck_assert (active_at (promotion, 23, 1, 0));
  ck_assert (!active_at (promotion, 22, 1, 0));
  ck_assert (!active_at (promotion, 23, 23, 0));

  /* Weekends, all day. */
  g_array_set_size (promotion->windows, 0);
  promotion->weekdays = 1u << G_DATE_SATURDAY | 1u << G_DATE_SUNDAY;
  ck_assert (active_at (promotion, 21, 0, 0));
  ck_assert (active_at (promotion, 22, 23, 59));
  ck_assert (!active_at (promotion, 23, 0, 0));
}
END_TEST

/* /core/promotion/active/date-range: [from, until) to the microsecond. */
START_TEST (test_date_range)
{
  g_autoptr (TillPromotion) promotion = make_good (TILL_PROMOTION_PERCENT_OFF);
  g_autoptr (GDateTime) from = g_date_time_new_local (2026, 11, 20, 0, 0, 0);
  g_autoptr (GDateTime) until = g_date_time_new_local (2026, 11, 27, 0, 0, 0);
  g_autoptr (GDateTime) just_before = g_date_time_add (from, -1);
  g_autoptr (GDateTime) last = g_date_time_add (until, -1);
  g_autoptr (GDateTime) middle = g_date_time_add_days (from, 3);

  promotion->valid_from_us = g_date_time_to_unix (from) * G_USEC_PER_SEC;
  promotion->valid_until_us = g_date_time_to_unix (until) * G_USEC_PER_SEC;
  ck_assert (till_promotion_is_active_at (promotion, from));
  ck_assert (till_promotion_is_active_at (promotion, middle));
  ck_assert (till_promotion_is_active_at (promotion, last));
  ck_assert (!till_promotion_is_active_at (promotion, just_before));
  ck_assert (!till_promotion_is_active_at (promotion, until));

  /* Open-ended on either side. */
  promotion->valid_until_us = 0;
  {
    g_autoptr (GDateTime) later = g_date_time_add_years (until, 5);

    ck_assert (till_promotion_is_active_at (promotion, later));
  }
  promotion->valid_from_us = 0;
  ck_assert (till_promotion_is_active_at (promotion, just_before));
}
END_TEST

/* ------------------------------------------------------------------- JSON */

/* A promotion with every condition set, on top of make_good (@kind). */
static TillPromotion *
make_full (TillPromotionKind kind)
{
  TillPromotion *promotion = make_good (kind);

  g_free (promotion->name);
  promotion->name = g_strdup ("第二件半价 \"特惠\"\\\n\t");
  promotion->priority = -3 + (int) kind;
  promotion->stacking = TILL_STACKING_EXCLUSIVE_GROUP;
  promotion->stacking_group = g_strdup ("饮料");
  set_strv (&promotion->excluded_skus, "X\"1", "烟", NULL);
  promotion->valid_from_us = G_GINT64_CONSTANT (1795000000000000);
  promotion->valid_until_us = G_GINT64_CONSTANT (1796000000000000);
  promotion->weekdays = 1u << 1 | 1u << 5 | 1u << 7;
  add_window (promotion, 22 * 60, 2 * 60);
  add_window (promotion, 9 * 60 + 5, 24 * 60);
  set_strv (&promotion->stores, "S1", "S2", NULL);
  set_strv (&promotion->store_groups, "华东", NULL);
  promotion->member_only = TRUE;
  if (kind != TILL_PROMOTION_TIER_DISCOUNT)
    set_strv (&promotion->tiers_only, "silver", "gold", NULL);
  promotion->min_quantity = 2000;
  if (kind != TILL_PROMOTION_COUPON)
    promotion->min_amount = 3000;
  promotion->per_sale_limit = 2;
  promotion->per_member_limit = 5;
  if (kind == TILL_PROMOTION_COUPON)
    promotion->coupon_multi_use = TRUE;
  return promotion;
}

/* /core/promotion/json/round-trip: a promotion of every kind, every field. */
START_TEST (test_json_round_trip)
{
  for (int kind = TILL_PROMOTION_THRESHOLD; kind <= TILL_PROMOTION_SALE_DISCOUNT; kind++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillPromotion) original = make_full ((TillPromotionKind) kind);
      g_autoptr (TillPromotion) parsed = NULL;
      g_autofree char *json = NULL;
      g_autofree char *again = NULL;

      ck_assert_msg (till_promotion_validate (original, &error), "%s", error ? error->message : "");
      json = till_promotion_to_json (original);
      parsed = till_promotion_parse_json (store, json, &error);
      ck_assert_msg (parsed != NULL, "%s: %s", json, error ? error->message : "");
      again = till_promotion_to_json (parsed);
      ck_assert_str_eq (again, json);

      ck_assert_str_eq (parsed->code, original->code);
      ck_assert_str_eq (parsed->name, "第二件半价 \"特惠\"\\\n\t");
      ck_assert_int_eq (parsed->kind, kind);
      ck_assert_int_eq (parsed->priority, original->priority);
      ck_assert_int_eq (parsed->stacking, TILL_STACKING_EXCLUSIVE_GROUP);
      ck_assert_str_eq (parsed->stacking_group, "饮料");
      ck_assert_str_eq (parsed->excluded_skus[0], "X\"1");
      ck_assert_int_eq (parsed->valid_until_us, G_GINT64_CONSTANT (1796000000000000));
      ck_assert_uint_eq (parsed->weekdays, original->weekdays);
      ck_assert_uint_eq (parsed->windows->len, 2);
      ck_assert_uint_eq (g_array_index (parsed->windows, TillPromotionWindow, 0).start_minute,
                         22 * 60);
      ck_assert_uint_eq (g_array_index (parsed->windows, TillPromotionWindow, 1).end_minute,
                         24 * 60);
      ck_assert_str_eq (parsed->store_groups[0], "华东");
      ck_assert (parsed->member_only);
      ck_assert_int_eq (parsed->per_member_limit, 5);
      ck_assert_int_eq (parsed->percent_bp, original->percent_bp);
      ck_assert_uint_eq (parsed->tiers->len, original->tiers->len);
      if (kind == TILL_PROMOTION_THRESHOLD)
        ck_assert_int_eq (g_array_index (parsed->tiers, TillPromotionTier, 1).amount_off, 2500);
      if (kind == TILL_PROMOTION_BUNDLE)
        {
          ck_assert_str_eq (parsed->bundle_skus[1], "B2");
          ck_assert_int_eq (g_array_index (parsed->bundle_quantities, gint64, 1), 2);
          ck_assert_int_eq (parsed->bundle_price, 1500);
        }
      if (kind == TILL_PROMOTION_COUPON)
        {
          ck_assert_str_eq (parsed->coupon_code, "SAVE10");
          ck_assert (parsed->coupon_multi_use);
        }
      if (kind == TILL_PROMOTION_GIFT)
        ck_assert_str_eq (parsed->gift_sku, "G001");
    }
}
END_TEST

/* /core/promotion/json/hq-row: HQ's form as the header shows it, with a
 * member the till does not know. */
START_TEST (test_json_hq_row)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPromotion) promotion = NULL;

  promotion = till_promotion_parse_json (
      store,
      "{\"code\":\"P2026-001\",\"name\":\"夜宵满减\",\"kind\":\"threshold\",\"priority\":10,"
      "\"stacking\":\"exclusive\",\"tiers\":[{\"min_amount\":5000,\"amount_off\":500},"
      "{\"min_amount\":10000,\"amount_off\":1500}],\"weekdays\":[6,7],"
      "\"windows\":[{\"start\":\"22:00\",\"end\":\"02:00\"}],\"stores\":null,"
      "\"coupon_multi_use\":false,\"hq_note\":\"ignored\"}",
      &error);
  ck_assert_msg (promotion != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (promotion->code, "P2026-001");
  ck_assert_int_eq (promotion->priority, 10);
  ck_assert_int_eq (promotion->stacking, TILL_STACKING_EXCLUSIVE);
  ck_assert_uint_eq (promotion->tiers->len, 2);
  ck_assert_int_eq (g_array_index (promotion->tiers, TillPromotionTier, 1).min_amount, 10000);
  ck_assert_uint_eq (promotion->weekdays, 1u << 6 | 1u << 7);
  ck_assert_uint_eq (g_array_index (promotion->windows, TillPromotionWindow, 0).end_minute, 120);
  ck_assert_ptr_null (promotion->stores);
}
END_TEST

/* /core/promotion/json/bad: each a JSON row HQ should not have sent. */
static const struct
{
  const char *json;
  const char *names;
} bad_rows[] = {
  { "not json at all", "valid JSON" },
  { "[1, 2]", "JSON object" },
  { "{\"code\":\"B1\",\"name\":\"n\"}", "no kind" },
  { "{\"code\":\"B1\",\"name\":\"n\",\"kind\":\"half-price\"}", "half-price" },
  { "{\"code\":\"B1\",\"name\":\"n\",\"kind\":\"percent-off\",\"percent_bp\":12.5}", "percent_bp" },
  { "{\"code\":\"B1\",\"name\":\"n\",\"kind\":\"percent-off\",\"percent_bp\":\"1000\"}",
    "percent_bp" },
  { "{\"code\":\"B1\",\"name\":\"n\",\"kind\":\"percent-off\",\"percent_bp\":1000,\"skus\":\"C1\"}",
    "skus" },
  { "{\"code\":\"B1\",\"name\":\"n\",\"kind\":\"percent-off\",\"percent_bp\":1000,\"skus\":[1]}",
    "skus" },
  { "{\"code\":\"B1\",\"name\":\"n\",\"kind\":\"percent-off\",\"percent_bp\":1000,"
    "\"windows\":[{\"start\":\"25:00\",\"end\":\"02:00\"}]}",
    "25:00" },
  { "{\"code\":\"B1\",\"name\":\"n\",\"kind\":\"percent-off\",\"percent_bp\":1000,"
    "\"weekdays\":[8]}",
    "weekdays" },
  { "{\"code\":\"B1\",\"name\":\"n\",\"kind\":\"percent-off\",\"percent_bp\":1000,"
    "\"stacking\":\"sometimes\"}",
    "sometimes" },
  { "{\"code\":\"B1\",\"name\":\"n\",\"kind\":\"threshold\",\"tiers\":[5000]}", "tiers" },
  { "{\"code\":\"B1\",\"name\":\"n\",\"kind\":\"percent-off\",\"percent_bp\":1000,"
    "\"member_only\":1}",
    "member_only" },
  /* Well formed but a contradiction: validation still runs. */
  { "{\"code\":\"B1\",\"name\":\"n\",\"kind\":\"percent-off\",\"percent_bp\":0}", "percent_bp" },
};

START_TEST (test_json_bad)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPromotion) promotion = NULL;

  promotion = till_promotion_parse_json (store, bad_rows[_i].json, &error);
  ck_assert_msg (promotion == NULL, "accepted %s", bad_rows[_i].json);
  ck_assert_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_INVALID);
  ck_assert_msg (strstr (error->message, bad_rows[_i].names) != NULL, "%s: “%s” does not name %s",
                 bad_rows[_i].json, error->message, bad_rows[_i].names);
}
END_TEST

/* ---------------------------------------------------------------- loading */

static void
apply_hq_rows (const TillMasterRow *rows, guint n_rows)
{
  g_autoptr (GError) error = NULL;
  gboolean drift = FALSE;

  ck_assert_msg (till_master_data_apply_page (store, "promotions", rows, n_rows, 1, FALSE, -1,
                                              g_get_real_time (), &drift, &error),
                 "%s", error ? error->message : "");
}

static char *
promotion_json (const char *code, int priority, const char *extra)
{
  return g_strdup_printf ("{\"code\":\"%s\",\"name\":\"%s\",\"kind\":\"percent-off\","
                          "\"percent_bp\":1000,\"priority\":%d%s}",
                          code, code, priority, extra != NULL ? extra : "");
}

/* /core/promotion/load-all: HQ's rows by scope, the till's own, an invalid
 * row skipped, the most specific copy of a code, sorted. */
START_TEST (test_load_all)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) promotions = NULL;
  g_autoptr (TillPromotion) local = make_good (TILL_PROMOTION_SALE_DISCOUNT);
  g_autoptr (TillPromotion) local_dup = make_good (TILL_PROMOTION_PERCENT_OFF);
  g_autofree char *all = promotion_json ("P-ALL", 1, NULL);
  g_autofree char *mine = promotion_json ("P-STORE", 5, NULL);
  g_autofree char *other = promotion_json ("P-OTHER", 9, NULL);
  g_autofree char *group = promotion_json ("P-GROUP", 1, NULL);
  g_autofree char *other_group = promotion_json ("P-GROUP2", 1, NULL);
  g_autofree char *bad =
      g_strdup ("{\"code\":\"P-BAD\",\"name\":\"坏\",\"kind\":\"percent-off\",\"percent_bp\":0}");
  g_autofree char    *listed_elsewhere = promotion_json ("P-S2", 1, ",\"stores\":[\"S2\"]");
  g_autofree char    *listed_here = promotion_json ("P-S1", 0, ",\"stores\":[\"S2\",\"S1\"]");
  g_autofree char    *dup_all = promotion_json ("P-DUP", 3, ",\"percent_bp\":100");
  g_autofree char    *dup_store = promotion_json ("P-DUP", 3, ",\"percent_bp\":200");
  g_autofree char    *dup_local_hq = promotion_json ("P-percent-off", 0, ",\"percent_bp\":300");
  const TillMasterRow rows[] = {
    { "P-ALL", "all", 1, all },
    { "P-STORE", "store:S1", 1, mine },
    { "P-OTHER", "store:S2", 1, other },
    { "P-GROUP", "group:G1", 1, group },
    { "P-GROUP2", "group:G2", 1, other_group },
    { "P-BAD", "all", 1, bad },
    { "P-S2", "all", 1, listed_elsewhere },
    { "P-S1", "all", 1, listed_here },
    { "P-DUP", "all", 1, dup_all },
    { "P-DUP", "store:S1", 1, dup_store },
    { "P-percent-off", "all", 1, dup_local_hq },
  };
  static const char *const expected[] = {
    "P-STORE", "P-DUP", "P-ALL", "P-GROUP", "P-S1", "P-percent-off", "P-sale-discount",
  };

  apply_hq_rows (rows, G_N_ELEMENTS (rows));
  local->priority = -1;
  ck_assert_msg (till_promotion_save_local (store, journal, manager, NULL, local, &error), "%s",
                 error ? error->message : "");
  local_dup->percent_bp = 400;
  ck_assert_msg (till_promotion_save_local (store, journal, manager, NULL, local_dup, &error), "%s",
                 error ? error->message : "");

  promotions = till_promotion_load_all (store, "S1", "G1", &error);
  ck_assert_msg (promotions != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < promotions->len && i < G_N_ELEMENTS (expected); i++)
    ck_assert_str_eq (((TillPromotion *) g_ptr_array_index (promotions, i))->code, expected[i]);
  ck_assert_uint_eq (promotions->len, G_N_ELEMENTS (expected));
  /* The store's copy of P-DUP beats the chain's; the till's own beats HQ's. */
  ck_assert_int_eq (((TillPromotion *) g_ptr_array_index (promotions, 1))->percent_bp, 200);
  ck_assert_int_eq (((TillPromotion *) g_ptr_array_index (promotions, 5))->percent_bp, 400);

  /* Without a group, the group's promotion goes. */
  g_clear_pointer (&promotions, g_ptr_array_unref);
  promotions = till_promotion_load_all (store, "S1", NULL, &error);
  ck_assert_msg (promotions != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (promotions->len, G_N_ELEMENTS (expected) - 1);
  for (guint i = 0; i < promotions->len; i++)
    ck_assert_str_ne (((TillPromotion *) g_ptr_array_index (promotions, i))->code, "P-GROUP");

  /* Store S2 sees its own and P-S2, not S1's. */
  g_clear_pointer (&promotions, g_ptr_array_unref);
  promotions = till_promotion_load_all (store, "S2", NULL, &error);
  ck_assert_msg (promotions != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (((TillPromotion *) g_ptr_array_index (promotions, 0))->code, "P-OTHER");
  for (guint i = 0; i < promotions->len; i++)
    ck_assert_str_ne (((TillPromotion *) g_ptr_array_index (promotions, i))->code, "P-STORE");
}
END_TEST

/* /core/promotion/local/save-delete: the row and a verifying journal entry
 * per change; a bad promotion and an unknown code change nothing. */
START_TEST (test_save_delete_local)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPromotion) promotion = make_full (TILL_PROMOTION_NTH_ITEM);
  g_autoptr (TillPromotion) bad = make_good (TILL_PROMOTION_NTH_ITEM);
  g_autoptr (TillPromotion) loaded = NULL;
  g_autofree char *json = till_promotion_to_json (promotion);
  gint64           bad_seq = 0;

  ck_assert_msg (till_promotion_save_local (store, journal, manager, NULL, promotion, &error), "%s",
                 error ? error->message : "");
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM promotion WHERE code = ?", promotion->code),
                    1);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal WHERE kind = 'promotion' AND "
                                "json_extract (CAST (body AS TEXT), '$.promotion') = json (?)",
                                json),
                    1);

  /* Saving again replaces it. */
  promotion->percent_bp = 3000;
  ck_assert_msg (till_promotion_save_local (store, journal, manager, NULL, promotion, &error), "%s",
                 error ? error->message : "");
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM promotion", NULL), 1);
  ck_assert_int_eq (
      count_rows ("SELECT json_extract (data, '$.percent_bp') FROM promotion WHERE code = ?",
                  promotion->code),
      3000);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal WHERE kind = 'promotion'", NULL), 2);

  /* A contradiction is refused and leaves no trace. */
  bad->nth_item = 1;
  ck_assert (!till_promotion_save_local (store, journal, manager, NULL, bad, &error));
  ck_assert_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_INVALID);
  g_clear_error (&error);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM promotion", NULL), 1);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal", NULL), 2);

  {
    g_autoptr (GPtrArray) promotions = till_promotion_load_all (store, "S1", NULL, &error);

    ck_assert_msg (promotions != NULL, "%s", error ? error->message : "");
    ck_assert_uint_eq (promotions->len, 1);
    loaded = till_promotion_copy (g_ptr_array_index (promotions, 0));
  }
  ck_assert_int_eq (loaded->percent_bp, 3000);
  ck_assert_int_eq (loaded->per_sale_limit, 2);

  ck_assert_msg (
      till_promotion_delete_local (store, journal, manager, NULL, promotion->code, &error), "%s",
      error ? error->message : "");
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM promotion", NULL), 0);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal WHERE kind = 'promotion' AND "
                                "json_extract (CAST (body AS TEXT), '$.deleted') = 1",
                                NULL),
                    1);

  ck_assert (!till_promotion_delete_local (store, journal, manager, NULL, "P-none", &error));
  ck_assert_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_FAILED);
  ck_assert_msg (strstr (error->message, "P-none") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal", NULL), 3);

  ck_assert_msg (till_journal_verify (journal, &bad_seq, &error), "%s",
                 error ? error->message : "");
}
END_TEST

/* The last journal entry of @kind, as text. */
static char *
last_journal_body (const char *kind)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT body FROM journal WHERE kind = ? "
                                        "ORDER BY seq DESC LIMIT 1",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return g_strndup (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
}

static gint64
journal_field_count (const char *path, const char *value)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT count(*) FROM journal WHERE kind = 'promotion' "
                                        "AND json_extract (CAST (body AS TEXT), ?1) = ?2",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, path, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* /core/promotion/local/permission: a cashier may neither save nor delete,
 * and leaves no trace; a manager's override lets them, journaled; the
 * journal names who saved and deleted; a role given the right may. */
START_TEST (test_local_permission)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillUser) cashier = make_user ("1001", "王小丽", TILL_ROLE_CASHIER, "1234");
  g_autoptr (TillUser) supervisor = make_user ("2001", "陈主管", TILL_ROLE_SUPERVISOR, "2222");
  g_autoptr (TillPromotion) promotion = make_good (TILL_PROMOTION_THRESHOLD);
  g_autofree char   *body = NULL;
  const TillOverride override = { "9001", "9999", FALSE, "manager-away" };
  const TillOverride wrong_pin = { "9001", "0000", FALSE, "manager-away" };
  gint64             bad_seq = 0;

  ck_assert (till_permission_role_default (TILL_ROLE_MANAGER, TILL_PERMISSION_MANAGE_PROMOTIONS));
  ck_assert (
      !till_permission_role_default (TILL_ROLE_SUPERVISOR, TILL_PERMISSION_MANAGE_PROMOTIONS));

  /* A cashier is refused before anything is looked at, even a bad promotion. */
  ck_assert (!till_promotion_save_local (store, journal, cashier, NULL, promotion, &error));
  ck_assert_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED);
  g_clear_error (&error);
  ck_assert (!till_store_in_transaction (store));
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM promotion", NULL), 0);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal", NULL), 0);

  /* A wrong supervisor PIN is an override refusal, and saves nothing. */
  ck_assert (!till_promotion_save_local (store, journal, cashier, &wrong_pin, promotion, &error));
  ck_assert_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE);
  g_clear_error (&error);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM promotion", NULL), 0);

  /* With the manager's override the cashier's save goes through, and both
   * the override and the save are journaled, naming the cashier. */
  ck_assert_msg (till_promotion_save_local (store, journal, cashier, &override, promotion, &error),
                 "%s", error ? error->message : "");
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM promotion WHERE code = ?", promotion->code),
                    1);
  body = last_journal_body ("override");
  ck_assert_msg (strstr (body, "\"permission\":\"manage-promotions\"") != NULL, "%s", body);
  ck_assert_msg (strstr (body, "\"supervisor_code\":\"9001\"") != NULL, "%s", body);
  ck_assert_int_eq (journal_field_count ("$.user_code", "1001"), 1);
  ck_assert_int_eq (journal_field_count ("$.action", "save"), 1);

  /* The manager's own save names the manager. */
  promotion->priority = 7;
  ck_assert_msg (till_promotion_save_local (store, journal, manager, NULL, promotion, &error), "%s",
                 error ? error->message : "");
  g_clear_pointer (&body, g_free);
  body = last_journal_body ("promotion");
  ck_assert_msg (strstr (body, "\"user_code\":\"9001\"") != NULL, "%s", body);
  ck_assert_msg (strstr (body, "\"user_name\":\"李经理\"") != NULL, "%s", body);
  ck_assert_msg (strstr (body, "\"priority\":7") != NULL, "%s", body);

  /* Deleting: the cashier and the supervisor are refused, the row stays. */
  ck_assert (!till_promotion_delete_local (store, journal, cashier, NULL, promotion->code, &error));
  ck_assert_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED);
  g_clear_error (&error);
  ck_assert (
      !till_promotion_delete_local (store, journal, supervisor, NULL, promotion->code, &error));
  ck_assert_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED);
  g_clear_error (&error);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM promotion", NULL), 1);
  ck_assert_int_eq (journal_field_count ("$.action", "delete"), 0);

  /* A manager gives supervisors the right: now the supervisor may delete. */
  ck_assert (till_permission_role_set (store, journal, "9001", TILL_ROLE_SUPERVISOR,
                                       TILL_PERMISSION_MANAGE_PROMOTIONS, TRUE, NULL));
  ck_assert_msg (
      till_promotion_delete_local (store, journal, supervisor, NULL, promotion->code, &error), "%s",
      error ? error->message : "");
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM promotion", NULL), 0);
  ck_assert_int_eq (journal_field_count ("$.user_code", "2001"), 1);
  ck_assert_int_eq (journal_field_count ("$.action", "delete"), 1);

  ck_assert_msg (till_journal_verify (journal, &bad_seq, &error), "%s",
                 error ? error->message : "");
}
END_TEST

static const TillPromotionListing *
find_listing (GPtrArray *listings, const char *code, TillPromotionSource source)
{
  for (guint i = 0; i < listings->len; i++)
    {
      const TillPromotionListing *listing = g_ptr_array_index (listings, i);

      if (g_str_equal (listing->promotion->code, code) && listing->source == source)
        return listing;
    }
  return NULL;
}

static void
apply_setting_rows (const TillMasterRow *rows, guint n_rows, gint64 cursor)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_master_data_apply_page (store, "settings", rows, n_rows, cursor, FALSE, -1,
                                              g_get_real_time (), NULL, &error),
                 "%s", error ? error->message : "");
}

/* /core/promotion/read-scope: the store is sync.store and the group the
 * setting store.group HQ sends, never a guess from the scopes of the rows
 * HQ sent: a group-scoped row of another group names nothing, and "" is no
 * group. */
START_TEST (test_read_scope)
{
  g_autoptr (GError) error = NULL;
  g_autofree char    *store_id = NULL;
  g_autofree char    *group_id = NULL;
  g_autofree char    *stray = promotion_json ("P-G9", 1, NULL);
  const TillMasterRow stray_rows[] = { { "P-G9", "group:G9", 1, stray } };
  const TillMasterRow in_g1[] = {
    { "store.group", "store:S001", 2, "{\"key\":\"store.group\",\"value\":\"G1\"}" },
  };
  const TillMasterRow in_none[] = {
    { "store.group", "store:S001", 3, "{\"key\":\"store.group\",\"value\":\"\"}" },
  };

  /* Before enrolment: no store, no group. */
  ck_assert (till_promotion_read_scope (store, &store_id, &group_id, &error));
  ck_assert_str_eq (store_id, "");
  ck_assert_ptr_null (group_id);
  g_clear_pointer (&store_id, g_free);

  /* A row scoped to a group is no word on the till's group. */
  ck_assert (till_store_set_setting (store, "sync.store", "S001", NULL));
  apply_hq_rows (stray_rows, G_N_ELEMENTS (stray_rows));
  ck_assert (till_promotion_read_scope (store, &store_id, &group_id, &error));
  ck_assert_str_eq (store_id, "S001");
  ck_assert_ptr_null (group_id);
  g_clear_pointer (&store_id, g_free);

  apply_setting_rows (in_g1, G_N_ELEMENTS (in_g1), 2);
  ck_assert (till_promotion_read_scope (store, &store_id, &group_id, &error));
  ck_assert_str_eq (store_id, "S001");
  ck_assert_str_eq (group_id, "G1");
  g_clear_pointer (&store_id, g_free);
  g_clear_pointer (&group_id, g_free);

  apply_setting_rows (in_none, G_N_ELEMENTS (in_none), 3);
  ck_assert (till_promotion_read_scope (store, &store_id, &group_id, &error));
  ck_assert_str_eq (store_id, "S001");
  ck_assert_ptr_null (group_id);
}
END_TEST

/* /core/promotion/list-for-editing: each copy of a code with its source, the
 * till's own editable, HQ's overridden by a local or more specific copy,
 * active now only when in force here, sorted as the engine sorts. */
START_TEST (test_list_for_editing)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) listings = NULL;
  g_autoptr (TillPromotion) override = make_good (TILL_PROMOTION_PERCENT_OFF);
  g_autoptr (TillPromotion) own = make_good (TILL_PROMOTION_THRESHOLD);
  g_autoptr (TillPromotion) elsewhere = make_good (TILL_PROMOTION_SALE_DISCOUNT);
  g_autoptr (TillPromotion) expired = make_good (TILL_PROMOTION_NTH_ITEM);
  g_autofree char    *all = promotion_json ("P-ALL", 1, NULL);
  g_autofree char    *group = promotion_json ("P-GROUP", 1, NULL);
  g_autofree char    *dup_all = promotion_json ("P-DUP", 3, NULL);
  g_autofree char    *dup_store = promotion_json ("P-DUP", 3, ",\"percent_bp\":200");
  g_autofree char    *other = promotion_json ("P-OTHER", 9, NULL);
  g_autofree char    *hq_of_local = promotion_json ("P-percent-off", 2, NULL);
  const TillMasterRow rows[] = {
    { "P-ALL", "all", 1, all },          { "P-GROUP", "group:G1", 1, group },
    { "P-DUP", "all", 1, dup_all },      { "P-DUP", "store:S1", 1, dup_store },
    { "P-OTHER", "store:S2", 1, other }, { "P-percent-off", "all", 1, hq_of_local },
  };
  const TillPromotionListing *listing;
  gint64                      now_us = g_get_real_time ();

  apply_hq_rows (rows, G_N_ELEMENTS (rows));
  override->priority = 2;
  ck_assert (till_promotion_save_local (store, journal, manager, NULL, override, NULL));
  ck_assert (till_promotion_save_local (store, journal, manager, NULL, own, NULL));
  set_strv (&elsewhere->stores, "S9", NULL);
  ck_assert (till_promotion_save_local (store, journal, manager, NULL, elsewhere, NULL));
  expired->valid_from_us = now_us - 10 * G_TIME_SPAN_DAY;
  expired->valid_until_us = now_us - G_TIME_SPAN_DAY;
  ck_assert (till_promotion_save_local (store, journal, manager, NULL, expired, NULL));

  listings = till_promotion_list_for_editing (store, "S1", "G1", &error);
  ck_assert_msg (listings != NULL, "%s", error ? error->message : "");
  /* P-ALL, P-GROUP, P-DUP ×2, P-percent-off ×2 (HQ and local) and the
   * three other local ones; not P-OTHER, which is for S2. */
  ck_assert_uint_eq (listings->len, 9);
  ck_assert_ptr_null (find_listing (listings, "P-OTHER", TILL_PROMOTION_SOURCE_HQ_STORE));

  listing = find_listing (listings, "P-ALL", TILL_PROMOTION_SOURCE_HQ_ALL);
  ck_assert_ptr_nonnull (listing);
  ck_assert (listing->active_now && !listing->editable && !listing->overridden);
  listing = find_listing (listings, "P-GROUP", TILL_PROMOTION_SOURCE_HQ_GROUP);
  ck_assert_ptr_nonnull (listing);
  ck_assert (listing->active_now);

  /* The store's copy of P-DUP wins over the chain's. */
  listing = find_listing (listings, "P-DUP", TILL_PROMOTION_SOURCE_HQ_STORE);
  ck_assert_ptr_nonnull (listing);
  ck_assert (listing->active_now && !listing->overridden);
  ck_assert_int_eq (listing->promotion->percent_bp, 200);
  listing = find_listing (listings, "P-DUP", TILL_PROMOTION_SOURCE_HQ_ALL);
  ck_assert_ptr_nonnull (listing);
  ck_assert (!listing->active_now && listing->overridden);

  /* The till's own copy of an HQ code overrides it. */
  listing = find_listing (listings, "P-percent-off", TILL_PROMOTION_SOURCE_LOCAL);
  ck_assert_ptr_nonnull (listing);
  ck_assert (listing->editable && listing->overrides_hq && listing->active_now);
  listing = find_listing (listings, "P-percent-off", TILL_PROMOTION_SOURCE_HQ_ALL);
  ck_assert_ptr_nonnull (listing);
  ck_assert (!listing->editable && listing->overridden && !listing->active_now);
  ck_assert (!listing->overrides_hq);

  listing = find_listing (listings, "P-threshold", TILL_PROMOTION_SOURCE_LOCAL);
  ck_assert_ptr_nonnull (listing);
  ck_assert (listing->editable && !listing->overrides_hq && listing->active_now);
  /* Listed so it can be mended, though it is for another store. */
  listing = find_listing (listings, "P-sale-discount", TILL_PROMOTION_SOURCE_LOCAL);
  ck_assert_ptr_nonnull (listing);
  ck_assert (listing->editable && !listing->active_now);
  listing = find_listing (listings, "P-nth-item", TILL_PROMOTION_SOURCE_LOCAL);
  ck_assert_ptr_nonnull (listing);
  ck_assert (listing->editable && !listing->active_now && !listing->overridden);

  /* Priority first (P-DUP 3, then the two P-percent-off at 2, the till's
   * own first), as the engine sorts. */
  ck_assert_str_eq (((TillPromotionListing *) listings->pdata[0])->promotion->code, "P-DUP");
  ck_assert_int_eq (((TillPromotionListing *) listings->pdata[0])->source,
                    TILL_PROMOTION_SOURCE_HQ_STORE);
  ck_assert_int_eq (((TillPromotionListing *) listings->pdata[1])->source,
                    TILL_PROMOTION_SOURCE_HQ_ALL);
  ck_assert_str_eq (((TillPromotionListing *) listings->pdata[2])->promotion->code,
                    "P-percent-off");
  ck_assert_int_eq (((TillPromotionListing *) listings->pdata[2])->source,
                    TILL_PROMOTION_SOURCE_LOCAL);

  /* Without the group, the group's promotion is not listed. */
  g_clear_pointer (&listings, g_ptr_array_unref);
  listings = till_promotion_list_for_editing (store, "S1", NULL, &error);
  ck_assert_msg (listings != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (listings->len, 8);
  ck_assert_ptr_null (find_listing (listings, "P-GROUP", TILL_PROMOTION_SOURCE_HQ_GROUP));

  /* The engine gets the winners only, the same as the list's active ones
   * (apart from the expired one, which load_all leaves to the engine). */
  {
    g_autoptr (GPtrArray) loaded = till_promotion_load_all (store, "S1", NULL, &error);
    guint n_active = 0;

    ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
    for (guint i = 0; i < listings->len; i++)
      n_active += ((TillPromotionListing *) listings->pdata[i])->active_now;
    ck_assert_uint_eq (loaded->len, n_active + 1);
  }
}
END_TEST

/* /core/promotion/kind-labels: every kind has words for the screen */
START_TEST (test_kind_labels)
{
  for (guint kind = 0; kind <= TILL_PROMOTION_SALE_DISCOUNT; kind++)
    {
      const char *label = till_promotion_kind_get_label (kind);

      ck_assert_ptr_nonnull (label);
      ck_assert_str_ne (label, "");
      for (guint other = 0; other < kind; other++)
        ck_assert_str_ne (label, till_promotion_kind_get_label (other));
    }
}
END_TEST

/* ---------------------------------------------------------------- coupons */

#define NOW_US G_GINT64_CONSTANT (1795000000000000)
#define DAY_US (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

static GPtrArray *
save_coupons_and_load (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPromotion) single = make_good (TILL_PROMOTION_COUPON);
  g_autoptr (TillPromotion) multi = make_good (TILL_PROMOTION_COUPON);
  g_autoptr (TillPromotion) expired = make_good (TILL_PROMOTION_COUPON);
  g_autoptr (TillPromotion) future = make_good (TILL_PROMOTION_COUPON);
  GPtrArray *promotions;

  g_free (multi->code);
  multi->code = g_strdup ("C-multi");
  g_free (multi->coupon_code);
  multi->coupon_code = g_strdup ("Welcome");
  multi->coupon_multi_use = TRUE;
  g_free (expired->code);
  expired->code = g_strdup ("C-expired");
  g_free (expired->coupon_code);
  expired->coupon_code = g_strdup ("OLD2025");
  expired->valid_from_us = NOW_US - 30 * DAY_US;
  expired->valid_until_us = NOW_US - 2 * DAY_US;
  g_free (future->code);
  future->code = g_strdup ("C-future");
  g_free (future->coupon_code);
  future->coupon_code = g_strdup ("NEWYEAR");
  future->valid_from_us = NOW_US + 5 * DAY_US;

  ck_assert (till_promotion_save_local (store, journal, manager, NULL, single, NULL));
  ck_assert (till_promotion_save_local (store, journal, manager, NULL, multi, NULL));
  ck_assert (till_promotion_save_local (store, journal, manager, NULL, expired, NULL));
  ck_assert (till_promotion_save_local (store, journal, manager, NULL, future, NULL));
  promotions = till_promotion_load_all (store, "S1", NULL, &error);
  ck_assert_msg (promotions != NULL, "%s", error ? error->message : "");
  return promotions;
}

static gboolean
redeem_in_transaction (const char *code, const char *sale_uuid, gint64 now_us, GError **error)
{
  ck_assert (till_store_begin (store, NULL));
  if (!till_promotion_redeem_coupon (store, code, sale_uuid, now_us, error))
    {
      till_store_rollback (store);
      return FALSE;
    }
  ck_assert (till_store_commit (store, NULL));
  return TRUE;
}

/* /core/promotion/coupon/single-use: found however typed, then used up. */
START_TEST (test_coupon_single_use)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) promotions = save_coupons_and_load ();
  g_autoptr (TillPromotion) found = NULL;
  g_autoptr (TillPromotion) again = NULL;
  g_autofree char *used_on = NULL;

  found = till_promotion_find_coupon (promotions, store, "  save10 \n", NOW_US, &error);
  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (found->code, "P-coupon");
  ck_assert_int_eq (found->amount_off, 1000);
  g_clear_pointer (&found, till_promotion_free);
  /* Typed on a full-width input method. */
  found = till_promotion_find_coupon (promotions, store, "ＳＡＶＥ１０", NOW_US, &error);
  ck_assert_msg (found != NULL, "%s", error ? error->message : "");

  ck_assert_msg (redeem_in_transaction ("SAVE10", "sale-1", NOW_US, &error), "%s",
                 error ? error->message : "");
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM coupon_use", NULL), 1);

  again = till_promotion_find_coupon (promotions, store, "SAVE10", NOW_US + DAY_US, &error);
  ck_assert_ptr_null (again);
  ck_assert_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON);
  {
    g_autoptr (GDateTime) used = g_date_time_new_from_unix_local (NOW_US / G_USEC_PER_SEC);

    used_on = g_date_time_format (used, "%Y-%m-%d");
  }
  ck_assert_msg (strstr (error->message, used_on) != NULL, "%s does not say %s", error->message,
                 used_on);
}
END_TEST

/* /core/promotion/coupon/redeem-twice: the second redeem of a single-use
 * code fails and records nothing; outside a transaction it fails. */
START_TEST (test_coupon_redeem_twice)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) promotions = save_coupons_and_load ();

  ck_assert (!till_promotion_redeem_coupon (store, "SAVE10", "sale-1", NOW_US, &error));
  ck_assert_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_FAILED);
  g_clear_error (&error);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM coupon_use", NULL), 0);

  ck_assert_msg (redeem_in_transaction ("save10", "sale-1", NOW_US, &error), "%s",
                 error ? error->message : "");
  ck_assert (!redeem_in_transaction ("SAVE10 ", "sale-2", NOW_US + 1, &error));
  ck_assert_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON);
  g_clear_error (&error);
  ck_assert (!redeem_in_transaction ("SAVE10", "sale-1", NOW_US + 2, &error));
  ck_assert_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON);
  g_clear_error (&error);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM coupon_use", NULL), 1);

  /* A code no promotion holds cannot be redeemed. */
  ck_assert (!redeem_in_transaction ("NOPE", "sale-3", NOW_US, &error));
  ck_assert_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON);
}
END_TEST

/* /core/promotion/coupon/multi-use: any number of sales. */
START_TEST (test_coupon_multi_use)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) promotions = save_coupons_and_load ();

  for (int i = 0; i < 3; i++)
    {
      g_autoptr (TillPromotion) found = NULL;
      g_autofree char *sale_uuid = g_strdup_printf ("sale-%d", i);

      found = till_promotion_find_coupon (promotions, store, "WELCOME", NOW_US + i, &error);
      ck_assert_msg (found != NULL, "%s", error ? error->message : "");
      ck_assert_str_eq (found->code, "C-multi");
      ck_assert_msg (redeem_in_transaction ("welcome", sale_uuid, NOW_US + i, &error), "%s",
                     error ? error->message : "");
    }
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM coupon_use WHERE code = 'welcome'", NULL), 3);
}
END_TEST

/* /core/promotion/coupon/refused: expired, not yet valid, unknown. */
START_TEST (test_coupon_refused)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) promotions = save_coupons_and_load ();
  g_autoptr (TillPromotion) found = NULL;
  g_autoptr (GDateTime) until =
      g_date_time_new_from_unix_local ((NOW_US - 2 * DAY_US) / G_USEC_PER_SEC);
  g_autoptr (GDateTime) from =
      g_date_time_new_from_unix_local ((NOW_US + 5 * DAY_US) / G_USEC_PER_SEC);
  g_autofree char *until_text = g_date_time_format (until, "%Y-%m-%d");
  g_autofree char *from_text = g_date_time_format (from, "%Y-%m-%d");

  found = till_promotion_find_coupon (promotions, store, "old2025", NOW_US, &error);
  ck_assert_ptr_null (found);
  ck_assert_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON);
  ck_assert_msg (strstr (error->message, "expired") != NULL &&
                     strstr (error->message, until_text) != NULL,
                 "%s", error->message);
  g_clear_error (&error);
  /* The last microsecond before it expired, it was fine. */
  found =
      till_promotion_find_coupon (promotions, store, "OLD2025", NOW_US - 2 * DAY_US - 1, &error);
  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
  g_clear_pointer (&found, till_promotion_free);

  found = till_promotion_find_coupon (promotions, store, "NEWYEAR", NOW_US, &error);
  ck_assert_ptr_null (found);
  ck_assert_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON);
  ck_assert_msg (strstr (error->message, "not valid before") != NULL &&
                     strstr (error->message, from_text) != NULL,
                 "%s", error->message);
  g_clear_error (&error);

  found = till_promotion_find_coupon (promotions, store, "FREEBEER", NOW_US, &error);
  ck_assert_ptr_null (found);
  ck_assert_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_NO_COUPON);
  ck_assert_msg (strstr (error->message, "FREEBEER") != NULL, "%s", error->message);
  g_clear_error (&error);

  /* A promotion's own code is not its coupon code. */
  found = till_promotion_find_coupon (promotions, store, "P-coupon", NOW_US, &error);
  ck_assert_ptr_null (found);
  ck_assert_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_NO_COUPON);
}
END_TEST

static Suite *
promotion_suite (void)
{
  Suite *suite = suite_create ("core/promotion");
  TCase *tc;

  tc = tcase_create ("/core/promotion/model");
  tcase_add_test (tc, test_kind_names);
  tcase_add_test (tc, test_copy);
  tcase_add_test (tc, test_kind_labels);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("/core/promotion/validate");
  tcase_add_test (tc, test_validate_accepts);
  tcase_add_loop_test (tc, test_validate_refuses, 0, N_RULES);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("/core/promotion/active");
  tcase_add_test (tc, test_window_across_midnight);
  tcase_add_test (tc, test_weekdays);
  tcase_add_test (tc, test_date_range);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("/core/promotion/json");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_json_round_trip);
  tcase_add_test (tc, test_json_hq_row);
  tcase_add_loop_test (tc, test_json_bad, 0, G_N_ELEMENTS (bad_rows));
  suite_add_tcase (suite, tc);

  tc = tcase_create ("/core/promotion/store");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_load_all);
  tcase_add_test (tc, test_save_delete_local);
  tcase_add_test (tc, test_list_for_editing);
  tcase_add_test (tc, test_read_scope);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("/core/promotion/local");
  /* scrypt on each sign-in and override under the sanitizers takes a while */
  tcase_set_timeout (tc, 120);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_local_permission);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("/core/promotion/coupon");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_coupon_single_use);
  tcase_add_test (tc, test_coupon_redeem_twice);
  tcase_add_test (tc, test_coupon_multi_use);
  tcase_add_test (tc, test_coupon_refused);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return till_test_run_suite (promotion_suite ());
}
