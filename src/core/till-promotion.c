/* till-promotion.c: the promotion model: validation, activity at a local
 * time, JSON in and out, loading, till-local promotions and coupons
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-promotion"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "till-cart.h"
#include "till-journal.h"
#include "till-money.h"
#include "till-permission.h"
#include "till-promotion.h"
#include "till-store.h"

G_DEFINE_QUARK (till_promotion_error_quark, till_promotion_error)

#define MINUTES_PER_DAY (24 * 60)

/* Indexed by TillPromotionKind; the names are what the JSON "kind" holds. */
static const char *const kind_names[] = {
  "threshold",     "percent-off", "fixed-price",  "gift",          "buy-x-get-y", "nth-item",
  "mix-and-match", "bundle",      "member-price", "tier-discount", "coupon",      "sale-discount",
};

G_STATIC_ASSERT (G_N_ELEMENTS (kind_names) == TILL_PROMOTION_SALE_DISCOUNT + 1);

/* Indexed by TillStacking. */
static const char *const stacking_names[] = { "all", "exclusive", "exclusive-group" };

G_STATIC_ASSERT (G_N_ELEMENTS (stacking_names) == TILL_STACKING_EXCLUSIVE_GROUP + 1);

/* Where a HQ row comes from decides which copy of a code wins: the most
 * specific scope, and the till's own over all of HQ's (TillPromotionSource
 * is ordered so). */
typedef TillPromotionSource PromotionSource;
#define SOURCE_HQ_ALL TILL_PROMOTION_SOURCE_HQ_ALL
#define SOURCE_HQ_GROUP TILL_PROMOTION_SOURCE_HQ_GROUP
#define SOURCE_HQ_STORE TILL_PROMOTION_SOURCE_HQ_STORE
#define SOURCE_LOCAL TILL_PROMOTION_SOURCE_LOCAL

/* ---------------------------------------------------------------- helpers */

static GStrv
strv_copy_or_null (GStrv strv)
{
  return strv != NULL ? g_strdupv (strv) : NULL;
}

static GArray *
array_copy_or_null (GArray *array)
{
  GArray *copy;

  if (array == NULL)
    return NULL;
  copy = g_array_sized_new (FALSE, TRUE, g_array_get_element_size (array), array->len);
  g_array_append_vals (copy, array->data, array->len);
  return copy;
}

static gboolean
strv_is_empty (GStrv strv)
{
  return strv == NULL || strv[0] == NULL;
}

static gboolean
strv_has (GStrv strv, const char *value)
{
  return strv != NULL && value != NULL && g_strv_contains ((const char *const *) strv, value);
}

static gboolean
string_is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

static gboolean
kind_applies_to_whole_sale (TillPromotionKind kind)
{
  return kind == TILL_PROMOTION_THRESHOLD || kind == TILL_PROMOTION_COUPON ||
         kind == TILL_PROMOTION_SALE_DISCOUNT;
}

static gboolean
kind_uses_percent (TillPromotionKind kind)
{
  switch (kind)
    {
    case TILL_PROMOTION_PERCENT_OFF:
    case TILL_PROMOTION_BUY_X_GET_Y:
    case TILL_PROMOTION_NTH_ITEM:
    case TILL_PROMOTION_TIER_DISCOUNT:
    case TILL_PROMOTION_SALE_DISCOUNT:
      return TRUE;
    default:
      return FALSE;
    }
}

/* A coupon code as the cashier may type or scan it: trimmed, full-width
 * letters and digits (a Chinese input method) folded to ASCII, any case. */
static char *
normalize_coupon_code (const char *code)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *normalized = NULL;

  if (code == NULL || !g_utf8_validate (code, -1, NULL))
    return NULL;
  trimmed = g_strstrip (g_strdup (code));
  normalized = g_utf8_normalize (trimmed, -1, G_NORMALIZE_NFKC);
  if (normalized == NULL)
    return NULL;
  return g_utf8_casefold (normalized, -1);
}

static char *
format_local_date (gint64 when_us, const char *format)
{
  g_autoptr (GDateTime) local = g_date_time_new_from_unix_local (when_us / G_USEC_PER_SEC);

  if (local == NULL)
    return g_strdup ("?");
  return g_date_time_format (local, format);
}

static gboolean
weekday_allowed (const TillPromotion *promotion, int weekday)
{
  return promotion->weekdays == 0 || (promotion->weekdays & (1u << weekday)) != 0;
}

static gboolean
has_window_across_midnight (const TillPromotion *promotion)
{
  for (guint i = 0; promotion->windows != NULL && i < promotion->windows->len; i++)
    {
      const TillPromotionWindow *window =
          &g_array_index (promotion->windows, TillPromotionWindow, i);

      if (window->end_minute < window->start_minute)
        return TRUE;
    }
  return FALSE;
}

static int
local_day_number (GDateTime *local)
{
  int year, month, day;

  g_date_time_get_ymd (local, &year, &month, &day);
  return year * 10000 + month * 100 + day;
}

/* Whether a date range shorter than a week holds any of the weekdays (in
 * local time): "Saturdays only" from Monday to Wednesday never applies. A
 * window across midnight that starts the day before the range reaches into
 * it, so that day counts too. */
static gboolean
weekdays_fall_in_range (const TillPromotion *promotion)
{
  g_autoptr (GDateTime) first = NULL;
  g_autoptr (GDateTime) last = NULL;
  int last_day;

  if (promotion->weekdays == 0 || promotion->valid_from_us == 0 || promotion->valid_until_us == 0 ||
      promotion->valid_until_us - promotion->valid_from_us >= 7 * G_TIME_SPAN_DAY)
    return TRUE;
  first = g_date_time_new_from_unix_local (promotion->valid_from_us / G_USEC_PER_SEC);
  last = g_date_time_new_from_unix_local ((promotion->valid_until_us - 1) / G_USEC_PER_SEC);
  if (first == NULL || last == NULL)
    return TRUE;
  last_day = local_day_number (last);
  for (int offset = has_window_across_midnight (promotion) ? -1 : 0; offset <= 7; offset++)
    {
      g_autoptr (GDateTime) day = g_date_time_add_days (first, offset);

      if (local_day_number (day) > last_day)
        break;
      if (weekday_allowed (promotion, g_date_time_get_day_of_week (day)))
        return TRUE;
    }
  return FALSE;
}

/* --------------------------------------------------------------- validate */

static gboolean invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
check_percent (const TillPromotion *promotion, GError **error)
{
  if (promotion->percent_bp < 1 || promotion->percent_bp > 10000)
    return invalid (error,
                    _ ("The discount of “%s” (percent_bp) must be between 1 and 10000 basis "
                       "points, not %" PRId64),
                    promotion->code, promotion->percent_bp);
  return TRUE;
}

static gboolean
check_string_list (const TillPromotion *promotion, GStrv list, const char *field, GError **error)
{
  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    if (string_is_blank (list[i]))
      return invalid (error, _ ("The list %s of “%s” holds an empty entry"), field,
                      promotion->code);
  return TRUE;
}

static gboolean
check_not_negative (const TillPromotion *promotion, gint64 value, const char *field, GError **error)
{
  if (value < 0)
    return invalid (error, _ ("The field %s of “%s” cannot be negative (%" PRId64 ")"), field,
                    promotion->code, value);
  return TRUE;
}

static gboolean
check_positive (const TillPromotion *promotion, gint64 value, const char *field, GError **error)
{
  if (value <= 0)
    return invalid (error, _ ("“%s” needs %s above 0, not %" PRId64), promotion->code, field,
                    value);
  return TRUE;
}

static gboolean
validate_threshold (const TillPromotion *promotion, GError **error)
{
  gboolean has_tiers = promotion->tiers != NULL && promotion->tiers->len > 0;
  gboolean has_every = promotion->every_amount != 0 || promotion->every_off != 0;

  if (has_tiers && has_every)
    return invalid (error, _ ("“%s” has both tiers and an “every” rule (every_amount): choose one"),
                    promotion->code);
  if (!has_tiers && !has_every)
    return invalid (error, _ ("“%s” needs tiers or an “every” rule (every_amount, every_off)"),
                    promotion->code);
  if (has_every)
    {
      g_autofree char *every = NULL;
      g_autofree char *off = NULL;

      if (!check_positive (promotion, promotion->every_amount, "every_amount", error) ||
          !check_positive (promotion, promotion->every_off, "every_off", error))
        return FALSE;
      every = till_money_format_yuan (promotion->every_amount);
      off = till_money_format_yuan (promotion->every_off);
      if (promotion->every_off > promotion->every_amount)
        return invalid (error,
                        _ ("“%s” saves %s (every_off) for every %s spent (every_amount): it "
                           "cannot save more than it asks"),
                        promotion->code, off, every);
      return TRUE;
    }
  for (guint i = 0; i < promotion->tiers->len; i++)
    {
      const TillPromotionTier *tier = &g_array_index (promotion->tiers, TillPromotionTier, i);
      g_autofree char         *min = till_money_format_yuan (tier->min_amount);
      g_autofree char         *off = till_money_format_yuan (tier->amount_off);

      if (tier->min_amount <= 0)
        return invalid (error, _ ("A tier of “%s” needs a min_amount above 0, not %s"),
                        promotion->code, min);
      if (tier->amount_off <= 0)
        return invalid (error, _ ("The tier %s of “%s” needs an amount_off above 0, not %s"), min,
                        promotion->code, off);
      if (tier->amount_off > tier->min_amount)
        return invalid (error, _ ("The tier %s of “%s” saves %s (amount_off): more than it asks"),
                        min, promotion->code, off);
      if (i > 0)
        {
          const TillPromotionTier *before =
              &g_array_index (promotion->tiers, TillPromotionTier, i - 1);
          g_autofree char *before_min = till_money_format_yuan (before->min_amount);
          g_autofree char *before_off = till_money_format_yuan (before->amount_off);

          if (tier->min_amount <= before->min_amount)
            return invalid (error, _ ("The tiers of “%s” must rise: %s comes after %s"),
                            promotion->code, min, before_min);
          /* A higher tier that saves no more than a lower one would leave a
           * customer who spends more no better off: it can never be meant. */
          if (tier->amount_off <= before->amount_off)
            return invalid (error,
                            _ ("The tier %s of “%s” saves %s (amount_off), no more than the "
                               "tier %s before it (%s)"),
                            min, promotion->code, off, before_min, before_off);
        }
    }
  return TRUE;
}

static gboolean
validate_bundle (const TillPromotion *promotion, GError **error)
{
  guint n_skus = promotion->bundle_skus != NULL ? g_strv_length (promotion->bundle_skus) : 0;
  guint n_quantities = promotion->bundle_quantities != NULL ? promotion->bundle_quantities->len : 0;

  if (n_skus == 0)
    return invalid (error, _ ("The bundle “%s” lists no SKUs (bundle)"), promotion->code);
  if (n_quantities != n_skus)
    return invalid (error,
                    _ ("The bundle “%s” lists %u SKUs (bundle) and %u quantities: one per SKU"),
                    promotion->code, n_skus, n_quantities);
  if (!check_string_list (promotion, promotion->bundle_skus, "bundle", error))
    return FALSE;
  for (guint i = 0; i < n_skus; i++)
    {
      const char *sku = promotion->bundle_skus[i];
      gint64      quantity = g_array_index (promotion->bundle_quantities, gint64, i);

      if (quantity <= 0)
        return invalid (error,
                        _ ("The bundle “%s” needs a quantity above 0 for SKU %s, not %" PRId64),
                        promotion->code, sku, quantity);
      for (guint j = 0; j < i; j++)
        if (g_strcmp0 (promotion->bundle_skus[j], sku) == 0)
          return invalid (error, _ ("The bundle “%s” lists SKU %s twice"), promotion->code, sku);
      if (strv_has (promotion->excluded_skus, sku))
        return invalid (error, _ ("The bundle “%s” holds SKU %s, which it also excludes"),
                        promotion->code, sku);
    }
  return check_positive (promotion, promotion->bundle_price, "bundle_price", error);
}

static gboolean
validate_kind (const TillPromotion *promotion, GError **error)
{
  if (kind_uses_percent (promotion->kind) && !check_percent (promotion, error))
    return FALSE;

  switch (promotion->kind)
    {
    case TILL_PROMOTION_THRESHOLD:
      return validate_threshold (promotion, error);
    case TILL_PROMOTION_PERCENT_OFF:
    case TILL_PROMOTION_MEMBER_PRICE:
      return TRUE;
    case TILL_PROMOTION_FIXED_PRICE:
      return check_positive (promotion, promotion->fixed_price, "fixed_price", error);
    case TILL_PROMOTION_GIFT:
      if (string_is_blank (promotion->gift_sku))
        return invalid (error, _ ("The gift promotion “%s” names no gift (gift_sku)"),
                        promotion->code);
      return check_positive (promotion, promotion->gift_quantity, "gift_quantity", error);
    case TILL_PROMOTION_BUY_X_GET_Y:
      return check_positive (promotion, promotion->buy_quantity, "buy_quantity", error) &&
             check_positive (promotion, promotion->get_quantity, "get_quantity", error);
    case TILL_PROMOTION_NTH_ITEM:
      if (promotion->nth_item < 2)
        return invalid (error, _ ("“%s” needs nth_item of 2 or more, not %" PRId64),
                        promotion->code, promotion->nth_item);
      return TRUE;
    case TILL_PROMOTION_MIX_AND_MATCH:
      if (promotion->mix_quantity < 2)
        return invalid (error, _ ("“%s” needs mix_quantity of 2 or more, not %" PRId64),
                        promotion->code, promotion->mix_quantity);
      return check_positive (promotion, promotion->mix_price, "mix_price", error);
    case TILL_PROMOTION_BUNDLE:
      return validate_bundle (promotion, error);
    case TILL_PROMOTION_TIER_DISCOUNT:
      if (strv_is_empty (promotion->tiers_only))
        return invalid (error, _ ("“%s” names no member tiers (tiers_only) to discount"),
                        promotion->code);
      return TRUE;
    case TILL_PROMOTION_COUPON:
      {
        g_autofree char *off = till_money_format_yuan (promotion->amount_off);
        g_autofree char *min = till_money_format_yuan (promotion->min_amount);

        if (string_is_blank (promotion->coupon_code))
          return invalid (error, _ ("The coupon “%s” has no code (coupon_code)"), promotion->code);
        if (promotion->amount_off < 0)
          return invalid (error, _ ("The coupon “%s” has a negative amount_off (%s)"),
                          promotion->code, off);
        if (promotion->amount_off > 0 && promotion->percent_bp != 0)
          return invalid (error,
                          _ ("The coupon “%s” has both amount_off (%s) and percent_bp (%" PRId64
                             "): choose one"),
                          promotion->code, off, promotion->percent_bp);
        if (promotion->amount_off == 0)
          {
            if (promotion->percent_bp == 0)
              return invalid (error,
                              _ ("The coupon “%s” saves nothing: set amount_off or percent_bp"),
                              promotion->code);
            return check_percent (promotion, error);
          }
        if (promotion->min_amount > 0 && promotion->amount_off > promotion->min_amount)
          return invalid (error,
                          _ ("The coupon “%s” saves %s (amount_off), more than the purchase it "
                             "asks for (min_amount %s)"),
                          promotion->code, off, min);
        return TRUE;
      }
    case TILL_PROMOTION_SALE_DISCOUNT:
      return TRUE;
    default:
      return invalid (error, _ ("“%s” has an unknown kind (%d)"), promotion->code,
                      (int) promotion->kind);
    }
}

static gboolean
validate_conditions (const TillPromotion *promotion, GError **error)
{
  if (promotion->valid_from_us < 0 || promotion->valid_until_us < 0)
    return invalid (error,
                    _ ("The dates of “%s” (valid_from_us, valid_until_us) cannot be negative"),
                    promotion->code);
  if (promotion->valid_from_us != 0 && promotion->valid_until_us != 0 &&
      promotion->valid_until_us <= promotion->valid_from_us)
    {
      g_autofree char *from = format_local_date (promotion->valid_from_us, "%Y-%m-%d %H:%M");
      g_autofree char *until = format_local_date (promotion->valid_until_us, "%Y-%m-%d %H:%M");

      return invalid (error,
                      _ ("“%s” must end (valid_until_us %s) after it starts (valid_from_us %s)"),
                      promotion->code, until, from);
    }
  if ((promotion->weekdays & ~0xfeu) != 0)
    return invalid (error, _ ("The weekdays of “%s” hold days outside Monday–Sunday (0x%x)"),
                    promotion->code, promotion->weekdays);
  if (!weekdays_fall_in_range (promotion))
    {
      g_autofree char *from = format_local_date (promotion->valid_from_us, "%Y-%m-%d %H:%M");
      g_autofree char *until = format_local_date (promotion->valid_until_us, "%Y-%m-%d %H:%M");

      return invalid (error,
                      _ ("None of the weekdays of “%s” falls between %s and %s (valid_from_us, "
                         "valid_until_us)"),
                      promotion->code, from, until);
    }
  for (guint i = 0; promotion->windows != NULL && i < promotion->windows->len; i++)
    {
      const TillPromotionWindow *window =
          &g_array_index (promotion->windows, TillPromotionWindow, i);

      if (window->start_minute >= MINUTES_PER_DAY || window->end_minute > MINUTES_PER_DAY)
        return invalid (error,
                        _ ("A time window of “%s” (windows) is outside the day: %u–%u minutes"),
                        promotion->code, window->start_minute, window->end_minute);
      if (window->start_minute == window->end_minute)
        return invalid (error,
                        _ ("A time window of “%s” (windows) has zero length: %02u:%02u–%02u:%02u"),
                        promotion->code, window->start_minute / 60, window->start_minute % 60,
                        window->end_minute / 60, window->end_minute % 60);
    }

  if (!check_not_negative (promotion, promotion->min_quantity, "min_quantity", error) ||
      !check_not_negative (promotion, promotion->min_amount, "min_amount", error) ||
      !check_not_negative (promotion, promotion->per_sale_limit, "per_sale_limit", error) ||
      !check_not_negative (promotion, promotion->per_member_limit, "per_member_limit", error))
    return FALSE;

  if (!check_string_list (promotion, promotion->skus, "skus", error) ||
      !check_string_list (promotion, promotion->categories, "categories", error) ||
      !check_string_list (promotion, promotion->brands, "brands", error) ||
      !check_string_list (promotion, promotion->excluded_skus, "excluded_skus", error) ||
      !check_string_list (promotion, promotion->stores, "stores", error) ||
      !check_string_list (promotion, promotion->store_groups, "store_groups", error) ||
      !check_string_list (promotion, promotion->tiers_only, "tiers_only", error))
    return FALSE;

  for (guint i = 0; promotion->skus != NULL && promotion->skus[i] != NULL; i++)
    if (strv_has (promotion->excluded_skus, promotion->skus[i]))
      return invalid (error,
                      _ ("SKU %s is both a target (skus) and excluded (excluded_skus) in “%s”"),
                      promotion->skus[i], promotion->code);

  /* Threshold, coupon and sale discount count the whole sale; naming targets
   * on them would promise the manager a restriction the engine never makes.
   * Excluded SKUs do count (no 满减 on tobacco). */
  if (kind_applies_to_whole_sale (promotion->kind) &&
      (!strv_is_empty (promotion->skus) || !strv_is_empty (promotion->categories) ||
       !strv_is_empty (promotion->brands)))
    return invalid (error,
                    _ ("“%s” is a %s promotion on the whole sale: it cannot name skus, categories "
                       "or brands"),
                    promotion->code, kind_names[promotion->kind]);
  return TRUE;
}

/* ------------------------------------------------------------ is_active_at */

/* ------------------------------------------------------------- JSON: read */

typedef enum
{
  FIELD_STRING,
  FIELD_INT64,
  FIELD_INT,
  FIELD_BOOLEAN,
  FIELD_STRV,
  FIELD_KIND,
  FIELD_STACKING,
  FIELD_TIERS,
  FIELD_BUNDLE,
  FIELD_WEEKDAYS,
  FIELD_WINDOWS,
} FieldType;

typedef struct
{
  const char *name;
  FieldType   type;
  gsize       offset;
} Field;

#define F(name, type)                                 \
  {                                                   \
#name, type, G_STRUCT_OFFSET(TillPromotion, name) \
  }

static const Field fields[] = {
  F (code, FIELD_STRING),
  F (name, FIELD_STRING),
  F (kind, FIELD_KIND),
  F (priority, FIELD_INT),
  F (stacking, FIELD_STACKING),
  F (stacking_group, FIELD_STRING),
  F (skus, FIELD_STRV),
  F (categories, FIELD_STRV),
  F (brands, FIELD_STRV),
  F (excluded_skus, FIELD_STRV),
  F (percent_bp, FIELD_INT64),
  F (fixed_price, FIELD_INT64),
  F (tiers, FIELD_TIERS),
  F (every_amount, FIELD_INT64),
  F (every_off, FIELD_INT64),
  F (gift_sku, FIELD_STRING),
  F (gift_quantity, FIELD_INT64),
  F (buy_quantity, FIELD_INT64),
  F (get_quantity, FIELD_INT64),
  F (nth_item, FIELD_INT64),
  F (mix_quantity, FIELD_INT64),
  F (mix_price, FIELD_INT64),
  { "bundle", FIELD_BUNDLE, G_STRUCT_OFFSET (TillPromotion, bundle_skus) },
  F (bundle_price, FIELD_INT64),
  F (amount_off, FIELD_INT64),
  F (coupon_code, FIELD_STRING),
  F (coupon_multi_use, FIELD_BOOLEAN),
  F (valid_from_us, FIELD_INT64),
  F (valid_until_us, FIELD_INT64),
  F (weekdays, FIELD_WEEKDAYS),
  F (windows, FIELD_WINDOWS),
  F (stores, FIELD_STRV),
  F (store_groups, FIELD_STRV),
  F (member_only, FIELD_BOOLEAN),
  F (tiers_only, FIELD_STRV),
  F (min_quantity, FIELD_INT64),
  F (min_amount, FIELD_INT64),
  F (per_sale_limit, FIELD_INT64),
  F (per_member_limit, FIELD_INT64),
};

#undef F

#define FIELD_PTR(promotion, field, ctype) ((ctype *) (((guint8 *) (promotion)) + (field)->offset))

static gboolean
wrong_type (GError **error, const char *field, const char *expected)
{
  /* TRANSLATORS: the second %s is what the field should be, e.g. "a whole number" */
  return invalid (error, _ ("The promotion's field %s must be %s"), field, expected);
}

/* Reads "HH:MM" (00:00–24:00) as minutes after midnight. */
static gboolean
parse_clock (const char *text, guint *out_minute)
{
  guint hours, minutes;

  if (text == NULL || strlen (text) != 5 || !g_ascii_isdigit (text[0]) ||
      !g_ascii_isdigit (text[1]) || text[2] != ':' || !g_ascii_isdigit (text[3]) ||
      !g_ascii_isdigit (text[4]))
    return FALSE;
  hours = (guint) (text[0] - '0') * 10 + (guint) (text[1] - '0');
  minutes = (guint) (text[3] - '0') * 10 + (guint) (text[4] - '0');
  if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0))
    return FALSE;
  *out_minute = hours * 60 + minutes;
  return TRUE;
}

/* Reads a JSON array of strings. */
static gboolean
parse_strv (TillStore *store, const char *array_json, const char *field, GStrv *out, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  int rc;

  stmt = till_store_prepare (store, "SELECT type, value FROM json_each (?1)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, array_json, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "text") != 0)
        return wrong_type (error, field, _ ("a list of texts"));
      g_ptr_array_add (values, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the promotion"));
      return FALSE;
    }
  g_strfreev (*out);
  g_ptr_array_add (values, NULL);
  *out = (GStrv) g_ptr_array_free (g_steal_pointer (&values), FALSE);
  return TRUE;
}

/* Reads a JSON array of integers (weekdays). */
static gboolean
parse_weekdays (TillStore *store, const char *array_json, guint *out, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  guint weekdays = 0;
  int   rc;

  stmt = till_store_prepare (store, "SELECT type, value FROM json_each (?1)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, array_json, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 day = sqlite3_column_int64 (stmt, 1);

      if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "integer") != 0)
        return wrong_type (error, "weekdays", _ ("a list of days 1 (Monday) to 7 (Sunday)"));
      if (day < 1 || day > 7)
        return invalid (
            error, _ ("The promotion's weekdays must be 1 (Monday) to 7 (Sunday), not %" PRId64),
            day);
      weekdays |= 1u << day;
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the promotion"));
      return FALSE;
    }
  *out = weekdays;
  return TRUE;
}

/* Reads a JSON array of objects with two members, a and b, into @out as
 * (type a, value a, type b, value b) per element through @row_cb. */
typedef gboolean (*PairRowFunc) (sqlite3_stmt *stmt, gpointer user_data, GError **error);

static gboolean
parse_pairs (TillStore  *store,
             const char *array_json,
             const char *field,
             const char *path_a,
             const char *path_b,
             PairRowFunc row_func,
             gpointer    user_data,
             GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (store,
                             "SELECT type,"
                             " CASE WHEN type = 'object' THEN json_type (value, ?2) END,"
                             " CASE WHEN type = 'object' THEN json_extract (value, ?2) END,"
                             " CASE WHEN type = 'object' THEN json_type (value, ?3) END,"
                             " CASE WHEN type = 'object' THEN json_extract (value, ?3) END "
                             "FROM json_each (?1)",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, array_json, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, path_a, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, path_b, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "object") != 0)
        return wrong_type (error, field, _ ("a list of objects"));
      if (!row_func (stmt, user_data, error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the promotion"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
column_is (sqlite3_stmt *stmt, int column, const char *json_type)
{
  return g_strcmp0 ((const char *) sqlite3_column_text (stmt, column), json_type) == 0;
}

static gboolean
tier_row_cb (sqlite3_stmt *stmt, gpointer user_data, GError **error)
{
  GArray           *tiers = user_data;
  TillPromotionTier tier;

  if (!column_is (stmt, 1, "integer") || !column_is (stmt, 3, "integer"))
    return wrong_type (error, "tiers", _ ("a list of {\"min_amount\", \"amount_off\"} in fen"));
  tier.min_amount = sqlite3_column_int64 (stmt, 2);
  tier.amount_off = sqlite3_column_int64 (stmt, 4);
  g_array_append_val (tiers, tier);
  return TRUE;
}

typedef struct
{
  GPtrArray *skus;
  GArray    *quantities;
} BundleParse;

static gboolean
bundle_row_cb (sqlite3_stmt *stmt, gpointer user_data, GError **error)
{
  BundleParse *bundle = user_data;
  gint64       quantity;

  if (!column_is (stmt, 1, "text") || !column_is (stmt, 3, "integer"))
    return wrong_type (error, "bundle", _ ("a list of {\"sku\", \"quantity\"}"));
  quantity = sqlite3_column_int64 (stmt, 4);
  g_ptr_array_add (bundle->skus, g_strdup ((const char *) sqlite3_column_text (stmt, 2)));
  g_array_append_val (bundle->quantities, quantity);
  return TRUE;
}

static gboolean
window_row_cb (sqlite3_stmt *stmt, gpointer user_data, GError **error)
{
  GArray             *windows = user_data;
  TillPromotionWindow window;
  const char         *start = (const char *) sqlite3_column_text (stmt, 2);
  const char         *end = (const char *) sqlite3_column_text (stmt, 4);

  if (!column_is (stmt, 1, "text") || !column_is (stmt, 3, "text") ||
      !parse_clock (start, &window.start_minute) || !parse_clock (end, &window.end_minute))
    return invalid (
        error,
        _ ("The promotion's windows must be {\"start\": \"HH:MM\", \"end\": \"HH:MM\"}, "
           "not %s–%s"),
        start != NULL ? start : "?", end != NULL ? end : "?");
  g_array_append_val (windows, window);
  return TRUE;
}

static gboolean
parse_field (TillStore     *store,
             TillPromotion *promotion,
             const Field   *field,
             sqlite3_stmt  *member,
             GError       **error)
{
  const char *type = (const char *) sqlite3_column_text (member, 1);
  const char *text = (const char *) sqlite3_column_text (member, 2);

  if (g_strcmp0 (type, "null") == 0)
    return TRUE;

  switch (field->type)
    {
    case FIELD_STRING:
      if (g_strcmp0 (type, "text") != 0)
        return wrong_type (error, field->name, _ ("a text"));
      g_free (*FIELD_PTR (promotion, field, char *));
      *FIELD_PTR (promotion, field, char *) = g_strdup (text);
      return TRUE;
    case FIELD_INT64:
      if (g_strcmp0 (type, "integer") != 0)
        return wrong_type (error, field->name, _ ("a whole number"));
      *FIELD_PTR (promotion, field, gint64) = sqlite3_column_int64 (member, 2);
      return TRUE;
    case FIELD_INT:
      {
        gint64 value = sqlite3_column_int64 (member, 2);

        if (g_strcmp0 (type, "integer") != 0 || value < G_MININT || value > G_MAXINT)
          return wrong_type (error, field->name, _ ("a whole number"));
        *FIELD_PTR (promotion, field, int) = (int) value;
        return TRUE;
      }
    case FIELD_BOOLEAN:
      if (g_strcmp0 (type, "true") == 0 || g_strcmp0 (type, "false") == 0)
        *FIELD_PTR (promotion, field, gboolean) = g_strcmp0 (type, "true") == 0;
      else
        return wrong_type (error, field->name, _ ("true or false"));
      return TRUE;
    case FIELD_STRV:
      if (g_strcmp0 (type, "array") != 0)
        return wrong_type (error, field->name, _ ("a list of texts"));
      return parse_strv (store, text, field->name, FIELD_PTR (promotion, field, GStrv), error);
    case FIELD_KIND:
      if (g_strcmp0 (type, "text") != 0 ||
          !till_promotion_kind_from_string (text, &promotion->kind))
        return invalid (error, _ ("The promotion's kind “%s” is not one the till knows"),
                        text != NULL ? text : "?");
      return TRUE;
    case FIELD_STACKING:
      for (guint i = 0; g_strcmp0 (type, "text") == 0 && i < G_N_ELEMENTS (stacking_names); i++)
        if (g_strcmp0 (text, stacking_names[i]) == 0)
          {
            promotion->stacking = (TillStacking) i;
            return TRUE;
          }
      return invalid (error,
                      _ ("The promotion's stacking “%s” must be all, exclusive or exclusive-group"),
                      text != NULL ? text : "?");
    case FIELD_TIERS:
      if (g_strcmp0 (type, "array") != 0)
        return wrong_type (error, field->name, _ ("a list of {\"min_amount\", \"amount_off\"}"));
      g_array_set_size (promotion->tiers, 0);
      return parse_pairs (store, text, "tiers", "$.min_amount", "$.amount_off", tier_row_cb,
                          promotion->tiers, error);
    case FIELD_BUNDLE:
      {
        g_autoptr (GPtrArray) skus = g_ptr_array_new_with_free_func (g_free);
        BundleParse bundle = { skus, promotion->bundle_quantities };

        if (g_strcmp0 (type, "array") != 0)
          return wrong_type (error, field->name, _ ("a list of {\"sku\", \"quantity\"}"));
        g_array_set_size (promotion->bundle_quantities, 0);
        if (!parse_pairs (store, text, "bundle", "$.sku", "$.quantity", bundle_row_cb, &bundle,
                          error))
          return FALSE;
        g_ptr_array_add (skus, NULL);
        g_strfreev (promotion->bundle_skus);
        promotion->bundle_skus = (GStrv) g_ptr_array_free (g_steal_pointer (&skus), FALSE);
        return TRUE;
      }
    case FIELD_WEEKDAYS:
      if (g_strcmp0 (type, "array") != 0)
        return wrong_type (error, field->name, _ ("a list of days 1 (Monday) to 7 (Sunday)"));
      return parse_weekdays (store, text, &promotion->weekdays, error);
    case FIELD_WINDOWS:
      if (g_strcmp0 (type, "array") != 0)
        return wrong_type (error, field->name, _ ("a list of {\"start\", \"end\"}"));
      g_array_set_size (promotion->windows, 0);
      return parse_pairs (store, text, "windows", "$.start", "$.end", window_row_cb,
                          promotion->windows, error);
    default:
      g_assert_not_reached ();
    }
}

/* ------------------------------------------------------------ JSON: write */

static void
json_append_string (GString *out, const char *value)
{
  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
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

static void
json_add_int_if_set (GString *out, const char *key, gint64 value)
{
  if (value != 0)
    _till_json_add_int (out, key, value);
}

static void
json_add_string_if_set (GString *out, const char *key, const char *value)
{
  if (value != NULL)
    _till_json_add_string (out, key, value);
}

static void
json_add_true_if_set (GString *out, const char *key, gboolean value)
{
  if (value)
    g_string_append_printf (out, ",\"%s\":true", key);
}

static void
json_add_strv_if_set (GString *out, const char *key, GStrv values)
{
  if (strv_is_empty (values))
    return;
  g_string_append_printf (out, ",\"%s\":[", key);
  for (guint i = 0; values[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      json_append_string (out, values[i]);
    }
  g_string_append_c (out, ']');
}

/* ---------------------------------------------------------------- loading */

static gboolean
applies_in_store (const TillPromotion *promotion, const char *store_id, const char *group_id)
{
  if (strv_is_empty (promotion->stores) && strv_is_empty (promotion->store_groups))
    return TRUE;
  return strv_has (promotion->stores, store_id) || strv_has (promotion->store_groups, group_id);
}

static int
compare_priority_then_code (gconstpointer a, gconstpointer b)
{
  const TillPromotion *left = *(TillPromotion *const *) a;
  const TillPromotion *right = *(TillPromotion *const *) b;

  if (left->priority != right->priority)
    return left->priority > right->priority ? -1 : 1;
  return g_strcmp0 (left->code, right->code);
}

/* Calls @func with each stored promotion row that may concern this till:
 * HQ's of scope all, @group_id's (may be NULL) and @store_id's, then the
 * till's own, each parsed (transfer full); a row that does not parse is
 * skipped with a g_message naming it. */
typedef void (*PromotionRowFunc) (TillPromotion  *promotion,
                                  PromotionSource source,
                                  gpointer        user_data);

/* Parses one stored row and hands it to @func, or says why it is skipped. */
static void
offer_row (TillStore       *store,
           const char      *origin,
           PromotionSource  source,
           const char      *json,
           PromotionRowFunc func,
           gpointer         user_data)
{
  g_autoptr (GError) error = NULL;
  TillPromotion *promotion = till_promotion_parse_json (store, json, &error);

  if (promotion == NULL)
    g_message ("Skipping promotion %s: %s", origin, error->message);
  else
    func (promotion, source, user_data);
}

static gboolean
for_each_stored_promotion (TillStore       *store,
                           const char      *store_id,
                           const char      *group_id,
                           PromotionRowFunc func,
                           gpointer         user_data,
                           GError         **error)
{
  g_autoptr (TillStmt) hq_stmt = NULL;
  g_autoptr (TillStmt) local_stmt = NULL;
  g_autofree char *store_scope = g_strconcat ("store:", store_id, NULL);
  g_autofree char *group_scope = group_id != NULL ? g_strconcat ("group:", group_id, NULL) : NULL;
  int              rc;

  hq_stmt = till_store_prepare (store,
                                "SELECT id, scope, data FROM master_row "
                                "WHERE channel = 'promotions' AND scope IN ('all', ?1, ?2) "
                                "ORDER BY id, scope",
                                error);
  if (hq_stmt == NULL)
    return FALSE;
  sqlite3_bind_text (hq_stmt, 1, store_scope, -1, SQLITE_STATIC);
  sqlite3_bind_text (hq_stmt, 2, group_scope, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (hq_stmt)) == SQLITE_ROW)
    {
      const char      *scope = (const char *) sqlite3_column_text (hq_stmt, 1);
      g_autofree char *origin =
          g_strdup_printf ("%s (HQ, %s)", (const char *) sqlite3_column_text (hq_stmt, 0), scope);
      PromotionSource source = SOURCE_HQ_ALL;

      if (g_strcmp0 (scope, store_scope) == 0)
        source = SOURCE_HQ_STORE;
      else if (g_strcmp0 (scope, group_scope) == 0)
        source = SOURCE_HQ_GROUP;
      offer_row (store, origin, source, (const char *) sqlite3_column_text (hq_stmt, 2), func,
                 user_data);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read HQ's promotions"));
      return FALSE;
    }

  local_stmt = till_store_prepare (store, "SELECT code, data FROM promotion ORDER BY code", error);
  if (local_stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (local_stmt)) == SQLITE_ROW)
    {
      g_autofree char *origin =
          g_strdup_printf ("%s (till)", (const char *) sqlite3_column_text (local_stmt, 0));

      offer_row (store, origin, SOURCE_LOCAL, (const char *) sqlite3_column_text (local_stmt, 1),
                 func, user_data);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the till's promotions"));
      return FALSE;
    }
  return TRUE;
}

/* What till_promotion_load_all gathers: the copy of each code from the
 * strongest source that applies in this store. */
typedef struct
{
  GHashTable *by_code; /* code (the promotion's own) → TillPromotion */
  GHashTable *sources; /* code → PromotionSource */
  const char *store_id;
  const char *group_id;
} Gathering;

static void
gather_promotion (TillPromotion *promotion, PromotionSource source, gpointer user_data)
{
  g_autoptr (TillPromotion) owned = promotion;
  Gathering *gathering = user_data;
  gpointer   held_source;
  char      *code;

  if (!applies_in_store (promotion, gathering->store_id, gathering->group_id))
    return;
  if (g_hash_table_lookup_extended (gathering->sources, promotion->code, NULL, &held_source) &&
      GPOINTER_TO_INT (held_source) >= (int) source)
    return;
  g_hash_table_insert (gathering->sources, g_strdup (promotion->code), GINT_TO_POINTER (source));
  /* The key is the promotion's own code: replace, not insert, so that the
   * key freed with the old value is not kept. */
  code = promotion->code;
  g_hash_table_replace (gathering->by_code, code, g_steal_pointer (&owned));
}

/* ---------------------------------------------------------------- coupons */

/* Whether the coupon code @normalized_code is multi-use, from the
 * promotions the till holds (HQ's and its own). */
static gboolean
lookup_coupon_multi_use (TillStore  *store,
                         const char *normalized_code,
                         gboolean   *out_multi_use,
                         GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (
      store,
      "SELECT json_extract (data, '$.coupon_code'), json_extract (data, '$.coupon_multi_use') "
      "FROM (SELECT data FROM master_row WHERE channel = 'promotions' AND json_valid (data) "
      "UNION ALL SELECT data FROM promotion WHERE json_valid (data)) "
      "WHERE json_extract (data, '$.kind') = 'coupon'",
      error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autofree char *code = normalize_coupon_code ((const char *) sqlite3_column_text (stmt, 0));

      if (g_strcmp0 (code, normalized_code) == 0)
        {
          *out_multi_use = sqlite3_column_int (stmt, 1) != 0;
          return TRUE;
        }
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the coupons"));
      return FALSE;
    }
  g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON,
               _ ("There is no coupon with the code %s"), normalized_code);
  return FALSE;
}

/* The first use of @normalized_code (0 when none), or -1 on error. */
static gint64
coupon_first_use (TillStore *store, const char *normalized_code, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (store, "SELECT min (used_us) FROM coupon_use WHERE code = ?", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, normalized_code, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the coupon's uses"));
      return -1;
    }
  if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    return 0;
  return MAX (sqlite3_column_int64 (stmt, 0), 1);
}

/* Why @promotion's coupon cannot be used at @now_us, or TRUE. */
static gboolean
coupon_usable (const TillPromotion *promotion,
               TillStore           *store,
               const char          *normalized_code,
               gint64               now_us,
               GError             **error)
{
  g_autoptr (GDateTime) local = NULL;

  if (promotion->valid_until_us != 0 && now_us >= promotion->valid_until_us)
    {
      g_autofree char *until = format_local_date (promotion->valid_until_us, "%Y-%m-%d %H:%M");

      g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON,
                   _ ("This coupon expired on %s"), until);
      return FALSE;
    }
  if (promotion->valid_from_us != 0 && now_us < promotion->valid_from_us)
    {
      g_autofree char *from = format_local_date (promotion->valid_from_us, "%Y-%m-%d %H:%M");

      g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON,
                   _ ("This coupon is not valid before %s"), from);
      return FALSE;
    }
  local = g_date_time_new_from_unix_local (now_us / G_USEC_PER_SEC);
  if (local != NULL && !till_promotion_is_active_at (promotion, local))
    {
      g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON,
                   _ ("This coupon is not valid at this day or time"));
      return FALSE;
    }
  if (!promotion->coupon_multi_use)
    {
      gint64 used_us = coupon_first_use (store, normalized_code, error);

      if (used_us < 0)
        return FALSE;
      if (used_us > 0)
        {
          g_autofree char *used = format_local_date (used_us, "%Y-%m-%d %H:%M");

          g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON,
                       _ ("This coupon was used on %s"), used);
          return FALSE;
        }
    }
  return TRUE;
}

/* A member coupon (till-loyalty.h): @normalized_code in member_coupon, as
 * "<coupon_code>-<suffix>" of its promotion among @promotions, usable by the
 * promotion's dates and only once (member_coupon.used_us). Returns the
 * promotion's copy, or NULL: with @error set when the code is a member
 * coupon that cannot be used (or on a storage error), unset when it is no
 * member coupon. */
static TillPromotion *
find_member_coupon (GPtrArray  *promotions,
                    TillStore  *store,
                    const char *normalized_code,
                    gint64      now_us,
                    GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *promotion_code = NULL;
  gint64           used_us;
  int              rc;

  stmt = till_store_prepare (store,
                             "SELECT promotion, coalesce(used_us, 0) FROM member_coupon "
                             "WHERE lower(code) = ? LIMIT 1",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, normalized_code, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the member coupons"));
      return NULL;
    }
  promotion_code = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  used_us = sqlite3_column_int64 (stmt, 1);
  g_clear_pointer (&stmt, till_stmt_release);

  for (guint i = 0; i < promotions->len; i++)
    {
      const TillPromotion *promotion = g_ptr_array_index (promotions, i);
      g_autofree char     *prefix = NULL;

      if (promotion->kind != TILL_PROMOTION_COUPON ||
          g_strcmp0 (promotion->code, promotion_code) != 0)
        continue;
      prefix = normalize_coupon_code (promotion->coupon_code);
      if (prefix == NULL || !g_str_has_prefix (normalized_code, prefix) ||
          normalized_code[strlen (prefix)] != '-')
        continue;
      if (used_us > 0)
        {
          g_autofree char *used = format_local_date (used_us, "%Y-%m-%d %H:%M");

          g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON,
                       _ ("This coupon was used on %s"), used);
          return NULL;
        }
      if (!coupon_usable (promotion, store, normalized_code, now_us, error))
        return NULL;
      return till_promotion_copy (promotion);
    }
  /* The till no longer holds (or never held) the promotion it was issued
   * for: as no coupon at all. */
  return NULL;
}

/* ------------------------------------------------------------- public API */

/**
 * till_promotion_kind_to_string:
 *
 * Returns: the kind's name in the JSON ("nth-item"), or %NULL for no kind
 */
const char *
till_promotion_kind_to_string (TillPromotionKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), NULL);
  return kind_names[kind];
}

/**
 * till_promotion_kind_from_string:
 *
 * Returns: whether @text names a kind; *@out_kind is set only then
 */
gboolean
till_promotion_kind_from_string (const char *text, TillPromotionKind *out_kind)
{
  g_return_val_if_fail (out_kind != NULL, FALSE);

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (kind_names); i++)
    if (strcmp (text, kind_names[i]) == 0)
      {
        *out_kind = (TillPromotionKind) i;
        return TRUE;
      }
  return FALSE;
}

/**
 * till_promotion_new:
 *
 * Returns: (transfer full): a promotion with no figures and no conditions,
 *   stacking with all, priority 0; its arrays exist and are empty
 */
TillPromotion *
till_promotion_new (const char *code, const char *name, TillPromotionKind kind)
{
  TillPromotion *promotion = g_new0 (TillPromotion, 1);

  promotion->code = g_strdup (code);
  promotion->name = g_strdup (name);
  promotion->kind = kind;
  promotion->stacking = TILL_STACKING_ALL;
  promotion->tiers = g_array_new (FALSE, TRUE, sizeof (TillPromotionTier));
  promotion->bundle_quantities = g_array_new (FALSE, TRUE, sizeof (gint64));
  promotion->windows = g_array_new (FALSE, TRUE, sizeof (TillPromotionWindow));
  return promotion;
}

/**
 * till_promotion_copy:
 *
 * Returns: (transfer full): a deep copy (every string, list and array)
 */
TillPromotion *
till_promotion_copy (const TillPromotion *promotion)
{
  TillPromotion *copy;

  g_return_val_if_fail (promotion != NULL, NULL);

  copy = g_memdup2 (promotion, sizeof (TillPromotion));
  copy->code = g_strdup (promotion->code);
  copy->name = g_strdup (promotion->name);
  copy->stacking_group = g_strdup (promotion->stacking_group);
  copy->skus = strv_copy_or_null (promotion->skus);
  copy->categories = strv_copy_or_null (promotion->categories);
  copy->brands = strv_copy_or_null (promotion->brands);
  copy->excluded_skus = strv_copy_or_null (promotion->excluded_skus);
  copy->tiers = array_copy_or_null (promotion->tiers);
  copy->gift_sku = g_strdup (promotion->gift_sku);
  copy->bundle_skus = strv_copy_or_null (promotion->bundle_skus);
  copy->bundle_quantities = array_copy_or_null (promotion->bundle_quantities);
  copy->coupon_code = g_strdup (promotion->coupon_code);
  copy->windows = array_copy_or_null (promotion->windows);
  copy->stores = strv_copy_or_null (promotion->stores);
  copy->store_groups = strv_copy_or_null (promotion->store_groups);
  copy->tiers_only = strv_copy_or_null (promotion->tiers_only);
  return copy;
}

void
till_promotion_free (TillPromotion *promotion)
{
  if (promotion == NULL)
    return;
  g_free (promotion->code);
  g_free (promotion->name);
  g_free (promotion->stacking_group);
  g_strfreev (promotion->skus);
  g_strfreev (promotion->categories);
  g_strfreev (promotion->brands);
  g_strfreev (promotion->excluded_skus);
  g_clear_pointer (&promotion->tiers, g_array_unref);
  g_free (promotion->gift_sku);
  g_strfreev (promotion->bundle_skus);
  g_clear_pointer (&promotion->bundle_quantities, g_array_unref);
  g_free (promotion->coupon_code);
  g_clear_pointer (&promotion->windows, g_array_unref);
  g_strfreev (promotion->stores);
  g_strfreev (promotion->store_groups);
  g_strfreev (promotion->tiers_only);
  g_free (promotion);
}

/**
 * till_promotion_validate:
 *
 * Refuses, with %TILL_PROMOTION_ERROR_INVALID and a message naming the field
 * and its value, every promotion whose rules contradict each other or can
 * never apply. Besides the rules in the header: negative figures, limits or
 * conditions; tiers whose saving does not rise with the spend; an “every”
 * rule saving more than it asks; a coupon with both or neither of
 * amount_off and percent_bp, or saving more than its min_amount; weekdays
 * outside Monday–Sunday; windows outside the day; empty list entries; a
 * bundle listing a SKU twice or excluding its own SKU; targets on a kind
 * that always counts the whole sale; a tier discount without tiers.
 */
gboolean
till_promotion_validate (const TillPromotion *promotion, GError **error)
{
  g_return_val_if_fail (promotion != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (string_is_blank (promotion->code))
    return invalid (error, _ ("A promotion needs a code"));
  if (string_is_blank (promotion->name))
    return invalid (error, _ ("The promotion “%s” needs a name"), promotion->code);
  if ((guint) promotion->kind >= G_N_ELEMENTS (kind_names))
    return invalid (error, _ ("“%s” has an unknown kind (%d)"), promotion->code,
                    (int) promotion->kind);
  if ((guint) promotion->stacking >= G_N_ELEMENTS (stacking_names))
    return invalid (error, _ ("“%s” has an unknown stacking rule (%d)"), promotion->code,
                    (int) promotion->stacking);
  if (promotion->stacking == TILL_STACKING_EXCLUSIVE_GROUP &&
      string_is_blank (promotion->stacking_group))
    return invalid (error,
                    _ ("“%s” is exclusive within its group but names no group (stacking_group)"),
                    promotion->code);
  if (!check_not_negative (promotion, promotion->percent_bp, "percent_bp", error) ||
      !check_not_negative (promotion, promotion->fixed_price, "fixed_price", error) ||
      !check_not_negative (promotion, promotion->gift_quantity, "gift_quantity", error) ||
      !check_not_negative (promotion, promotion->amount_off, "amount_off", error))
    return FALSE;
  return validate_kind (promotion, error) && validate_conditions (promotion, error);
}

/**
 * till_promotion_is_active_at:
 * @local: the store's local time
 *
 * The date range is [valid_from_us, valid_until_us). Weekdays and windows
 * are wall-clock rules. A window across midnight (22:00–02:00) belongs to
 * the day it starts on: with weekdays = Friday it holds from Friday 22:00 to
 * Saturday 02:00, and not from Friday 00:00 to 02:00. Without windows the
 * weekday is the day of @local.
 */
gboolean
till_promotion_is_active_at (const TillPromotion *promotion, GDateTime *local)
{
  gint64 now_us;
  int    weekday;
  int    yesterday;
  guint  minute;

  g_return_val_if_fail (promotion != NULL, FALSE);
  g_return_val_if_fail (local != NULL, FALSE);

  now_us = g_date_time_to_unix (local) * G_USEC_PER_SEC + g_date_time_get_microsecond (local);
  if (promotion->valid_from_us != 0 && now_us < promotion->valid_from_us)
    return FALSE;
  if (promotion->valid_until_us != 0 && now_us >= promotion->valid_until_us)
    return FALSE;

  weekday = g_date_time_get_day_of_week (local);
  yesterday = weekday == 1 ? 7 : weekday - 1;
  if (promotion->windows == NULL || promotion->windows->len == 0)
    return weekday_allowed (promotion, weekday);

  minute = (guint) (g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local));
  for (guint i = 0; i < promotion->windows->len; i++)
    {
      const TillPromotionWindow *window =
          &g_array_index (promotion->windows, TillPromotionWindow, i);

      if (window->start_minute < window->end_minute)
        {
          if (minute >= window->start_minute && minute < window->end_minute &&
              weekday_allowed (promotion, weekday))
            return TRUE;
        }
      else if (window->start_minute > window->end_minute)
        {
          if (minute >= window->start_minute && weekday_allowed (promotion, weekday))
            return TRUE;
          if (minute < window->end_minute && weekday_allowed (promotion, yesterday))
            return TRUE;
        }
    }
  return FALSE;
}

/**
 * till_promotion_parse_json:
 * @store: whose SQLite connection reads the JSON
 * @json: one promotion object, as in the header
 *
 * Members that are absent or null keep their defaults; members the till does
 * not know are ignored (HQ may be newer). Numbers must be integers: money
 * never travels as a fraction.
 *
 * Returns: (transfer full): the promotion, validated, or %NULL with
 *   %TILL_PROMOTION_ERROR_INVALID (or a store error) set
 */
TillPromotion *
till_promotion_parse_json (TillStore *store, const char *json, GError **error)
{
  g_autoptr (TillPromotion) promotion = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  gboolean has_kind = FALSE;
  int      rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (json != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  {
    g_autoptr (TillStmt) check = NULL;

    check = till_store_prepare (
        store, "SELECT json_valid (?1), CASE WHEN json_valid (?1) THEN json_type (?1) END", error);
    if (check == NULL)
      return NULL;
    sqlite3_bind_text (check, 1, json, -1, SQLITE_STATIC);
    if (sqlite3_step (check) != SQLITE_ROW)
      {
        till_store_set_error (store, error, _ ("Cannot read the promotion"));
        return NULL;
      }
    if (sqlite3_column_int (check, 0) == 0)
      {
        invalid (error, _ ("The promotion is not valid JSON"));
        return NULL;
      }
    if (g_strcmp0 ((const char *) sqlite3_column_text (check, 1), "object") != 0)
      {
        invalid (error, _ ("The promotion is not a JSON object"));
        return NULL;
      }
  }

  promotion = till_promotion_new (NULL, NULL, TILL_PROMOTION_THRESHOLD);
  stmt = till_store_prepare (store, "SELECT key, type, value FROM json_each (?1)", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (key, "kind") == 0 &&
          g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "null") != 0)
        has_kind = TRUE;
      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        if (g_strcmp0 (key, fields[i].name) == 0)
          {
            if (!parse_field (store, promotion, &fields[i], stmt, error))
              return NULL;
            break;
          }
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the promotion"));
      return NULL;
    }
  if (!has_kind)
    {
      invalid (error, _ ("The promotion “%s” has no kind"),
               promotion->code != NULL ? promotion->code : "?");
      return NULL;
    }
  if (!till_promotion_validate (promotion, error))
    return NULL;
  return g_steal_pointer (&promotion);
}

/**
 * till_promotion_to_json:
 *
 * Returns: (transfer full): the promotion as parse_json reads it; members
 *   at their default (0, empty, FALSE) are left out
 */
char *
till_promotion_to_json (const TillPromotion *promotion)
{
  GString *out;

  g_return_val_if_fail (promotion != NULL, NULL);
  g_return_val_if_fail ((guint) promotion->kind < G_N_ELEMENTS (kind_names), NULL);
  g_return_val_if_fail ((guint) promotion->stacking < G_N_ELEMENTS (stacking_names), NULL);

  out = g_string_new ("{");
  _till_json_add_string (out, "code", promotion->code);
  _till_json_add_string (out, "name", promotion->name);
  _till_json_add_string (out, "kind", kind_names[promotion->kind]);
  _till_json_add_int (out, "priority", promotion->priority);
  _till_json_add_string (out, "stacking", stacking_names[promotion->stacking]);
  json_add_string_if_set (out, "stacking_group", promotion->stacking_group);
  json_add_strv_if_set (out, "skus", promotion->skus);
  json_add_strv_if_set (out, "categories", promotion->categories);
  json_add_strv_if_set (out, "brands", promotion->brands);
  json_add_strv_if_set (out, "excluded_skus", promotion->excluded_skus);
  json_add_int_if_set (out, "percent_bp", promotion->percent_bp);
  json_add_int_if_set (out, "fixed_price", promotion->fixed_price);
  if (promotion->tiers != NULL && promotion->tiers->len > 0)
    {
      g_string_append (out, ",\"tiers\":[");
      for (guint i = 0; i < promotion->tiers->len; i++)
        {
          const TillPromotionTier *tier = &g_array_index (promotion->tiers, TillPromotionTier, i);

          g_string_append_printf (
              out, "%s{\"min_amount\":%" G_GINT64_FORMAT ",\"amount_off\":%" G_GINT64_FORMAT "}",
              i > 0 ? "," : "", tier->min_amount, tier->amount_off);
        }
      g_string_append_c (out, ']');
    }
  json_add_int_if_set (out, "every_amount", promotion->every_amount);
  json_add_int_if_set (out, "every_off", promotion->every_off);
  json_add_string_if_set (out, "gift_sku", promotion->gift_sku);
  json_add_int_if_set (out, "gift_quantity", promotion->gift_quantity);
  json_add_int_if_set (out, "buy_quantity", promotion->buy_quantity);
  json_add_int_if_set (out, "get_quantity", promotion->get_quantity);
  json_add_int_if_set (out, "nth_item", promotion->nth_item);
  json_add_int_if_set (out, "mix_quantity", promotion->mix_quantity);
  json_add_int_if_set (out, "mix_price", promotion->mix_price);
  if (!strv_is_empty (promotion->bundle_skus))
    {
      guint n_quantities =
          promotion->bundle_quantities != NULL ? promotion->bundle_quantities->len : 0;

      g_string_append (out, ",\"bundle\":[");
      for (guint i = 0; promotion->bundle_skus[i] != NULL; i++)
        {
          g_string_append (out, i > 0 ? ",{\"sku\":" : "{\"sku\":");
          json_append_string (out, promotion->bundle_skus[i]);
          g_string_append_printf (
              out, ",\"quantity\":%" G_GINT64_FORMAT "}",
              i < n_quantities ? g_array_index (promotion->bundle_quantities, gint64, i) : 0);
        }
      g_string_append_c (out, ']');
    }
  json_add_int_if_set (out, "bundle_price", promotion->bundle_price);
  json_add_int_if_set (out, "amount_off", promotion->amount_off);
  json_add_string_if_set (out, "coupon_code", promotion->coupon_code);
  json_add_true_if_set (out, "coupon_multi_use", promotion->coupon_multi_use);
  json_add_int_if_set (out, "valid_from_us", promotion->valid_from_us);
  json_add_int_if_set (out, "valid_until_us", promotion->valid_until_us);
  if (promotion->weekdays != 0)
    {
      gboolean first = TRUE;

      g_string_append (out, ",\"weekdays\":[");
      for (guint day = 1; day <= 7; day++)
        if ((promotion->weekdays & (1u << day)) != 0)
          {
            g_string_append_printf (out, first ? "%u" : ",%u", day);
            first = FALSE;
          }
      g_string_append_c (out, ']');
    }
  if (promotion->windows != NULL && promotion->windows->len > 0)
    {
      g_string_append (out, ",\"windows\":[");
      for (guint i = 0; i < promotion->windows->len; i++)
        {
          const TillPromotionWindow *window =
              &g_array_index (promotion->windows, TillPromotionWindow, i);

          g_string_append_printf (out, "%s{\"start\":\"%02u:%02u\",\"end\":\"%02u:%02u\"}",
                                  i > 0 ? "," : "", window->start_minute / 60,
                                  window->start_minute % 60, window->end_minute / 60,
                                  window->end_minute % 60);
        }
      g_string_append_c (out, ']');
    }
  json_add_strv_if_set (out, "stores", promotion->stores);
  json_add_strv_if_set (out, "store_groups", promotion->store_groups);
  json_add_true_if_set (out, "member_only", promotion->member_only);
  json_add_strv_if_set (out, "tiers_only", promotion->tiers_only);
  json_add_int_if_set (out, "min_quantity", promotion->min_quantity);
  json_add_int_if_set (out, "min_amount", promotion->min_amount);
  json_add_int_if_set (out, "per_sale_limit", promotion->per_sale_limit);
  json_add_int_if_set (out, "per_member_limit", promotion->per_member_limit);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/**
 * till_promotion_load_all:
 * @store_id: this till's store
 * @group_id: (nullable): its store group
 *
 * HQ's rows of scope "all", "group:@group_id" and "store:@store_id" and the
 * till's own promotions. When one code comes from several places the most
 * specific wins: the till's own, then the store's, the group's, all. A
 * promotion whose stores/store_groups leave this store out is not returned.
 *
 * Returns: (transfer full) (element-type TillPromotion): the promotions,
 *   highest priority first, then by code; %NULL with @error on a store error
 */
GPtrArray *
till_promotion_load_all (TillStore  *store,
                         const char *store_id,
                         const char *group_id,
                         GError    **error)
{
  g_autoptr (GHashTable) by_code = NULL;
  g_autoptr (GHashTable) sources = NULL;
  g_autoptr (GPtrArray) promotions = NULL;
  Gathering      gathering;
  GHashTableIter iter;
  gpointer       value;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (store_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  by_code =
      g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) till_promotion_free);
  sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gathering = (Gathering){ by_code, sources, store_id, group_id };
  if (!for_each_stored_promotion (store, store_id, group_id, gather_promotion, &gathering, error))
    return NULL;

  promotions =
      g_ptr_array_new_full (g_hash_table_size (by_code), (GDestroyNotify) till_promotion_free);
  g_hash_table_iter_init (&iter, by_code);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_ptr_array_add (promotions, value);
      g_hash_table_iter_steal (&iter);
    }
  g_ptr_array_sort (promotions, compare_priority_then_code);
  return g_steal_pointer (&promotions);
}

/* The journal body of a save or delete: who did it, and what. */
static GBytes *
promotion_journal_body (TillUser *user, const char *action, const char *code, const char *json)
{
  GString *body = g_string_new ("{");

  _till_json_add_string (body, "action", action);
  _till_json_add_string (body, "code", code);
  _till_json_add_string (body, "user_code", till_user_get_code (user));
  _till_json_add_string (body, "user_name", till_user_get_name (user));
  if (json != NULL)
    g_string_append_printf (body, ",\"promotion\":%s", json);
  else
    g_string_append (body, ",\"deleted\":true");
  g_string_append_c (body, '}');
  return g_string_free_to_bytes (body);
}

/**
 * till_promotion_save_local:
 * @store: the till's store, outside a transaction
 * @journal: the till's journal, on @store
 * @user: the signed-in user making the change
 * @override: (nullable): a supervisor's approval, when @user may not
 *
 * Checks @user's %TILL_PERMISSION_MANAGE_PROMOTIONS, validates @promotion
 * and saves it (replacing one with its code) with a journal entry
 * "promotion" ({"action":"save","code","user_code","user_name",
 * "promotion":{…}}), in one transaction.
 */
gboolean
till_promotion_save_local (TillStore           *store,
                           TillJournal         *journal,
                           TillUser            *user,
                           const TillOverride  *override,
                           const TillPromotion *promotion,
                           GError             **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autofree char *json = NULL;
  guint8           journal_hash[TILL_JOURNAL_HASH_LEN];
  gint64           journal_seq = 0;
  gint64           now_us;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (till_journal_get_store (journal) == store, FALSE);
  g_return_val_if_fail (TILL_IS_USER (user), FALSE);
  g_return_val_if_fail (promotion != NULL, FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  now_us = till_user_now (store);
  if (!till_store_begin (store, error))
    return FALSE;
  /* The permission first: someone who may not change promotions learns
   * that, not what is wrong with the promotion. */
  if (!till_permission_check (store, journal, user, TILL_PERMISSION_MANAGE_PROMOTIONS, 0, override,
                              error))
    goto fail;
  if (!till_promotion_validate (promotion, error))
    goto fail;
  json = till_promotion_to_json (promotion);
  body = promotion_journal_body (user, "save", promotion->code, json);
  if (!till_journal_append (journal, "promotion", promotion->code, now_us, body, &journal_seq,
                            journal_hash, error))
    goto fail;
  stmt = till_store_prepare (store,
                             "INSERT INTO promotion (code, data, updated_us) VALUES (?, ?, ?) "
                             "ON CONFLICT (code) DO UPDATE SET data = excluded.data, "
                             "updated_us = excluded.updated_us",
                             error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, promotion->code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, json, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now_us);
  if (!till_store_step_done (store, stmt, error))
    goto fail;
  g_clear_pointer (&stmt, till_stmt_release);
  if (!till_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  g_clear_pointer (&stmt, till_stmt_release);
  till_store_rollback (store);
  return FALSE;
}

/**
 * till_promotion_delete_local:
 * @store: the till's store, outside a transaction
 * @user: the signed-in user making the change
 * @override: (nullable): a supervisor's approval, when @user may not
 *
 * Checks @user's %TILL_PERMISSION_MANAGE_PROMOTIONS and deletes the till's
 * own promotion @code with a journal entry "promotion" ({"action":"delete",
 * "code","user_code","user_name","deleted":true}), in one transaction. HQ's
 * promotions cannot be deleted here; deleting a local override brings HQ's
 * back.
 */
gboolean
till_promotion_delete_local (TillStore          *store,
                             TillJournal        *journal,
                             TillUser           *user,
                             const TillOverride *override,
                             const char         *code,
                             GError            **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GBytes) body = NULL;
  guint8 journal_hash[TILL_JOURNAL_HASH_LEN];
  gint64 journal_seq = 0;
  gint64 now_us;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (till_journal_get_store (journal) == store, FALSE);
  g_return_val_if_fail (TILL_IS_USER (user), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  now_us = till_user_now (store);
  body = promotion_journal_body (user, "delete", code, NULL);
  if (!till_store_begin (store, error))
    return FALSE;
  if (!till_permission_check (store, journal, user, TILL_PERMISSION_MANAGE_PROMOTIONS, 0, override,
                              error))
    goto fail;
  stmt = till_store_prepare (store, "DELETE FROM promotion WHERE code = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    goto fail;
  g_clear_pointer (&stmt, till_stmt_release);
  if (sqlite3_changes (till_store_get_db (store)) == 0)
    {
      g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_FAILED,
                   _ ("The till has no promotion of its own with the code %s"), code);
      goto fail;
    }
  if (!till_journal_append (journal, "promotion", code, now_us, body, &journal_seq, journal_hash,
                            error))
    goto fail;
  if (!till_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  g_clear_pointer (&stmt, till_stmt_release);
  till_store_rollback (store);
  return FALSE;
}

void
till_promotion_listing_free (TillPromotionListing *listing)
{
  if (listing == NULL)
    return;
  till_promotion_free (listing->promotion);
  g_free (listing);
}

static int
compare_listings (gconstpointer a, gconstpointer b)
{
  const TillPromotionListing *left = *(TillPromotionListing *const *) a;
  const TillPromotionListing *right = *(TillPromotionListing *const *) b;
  int                         order;

  order = compare_priority_then_code (&left->promotion, &right->promotion);
  if (order != 0)
    return order;
  return (int) right->source - (int) left->source;
}

/* What till_promotion_list_for_editing gathers: a row per stored copy. */
typedef struct
{
  GPtrArray  *listings;
  const char *store_id;
  const char *group_id;
} Listing;

static void
list_promotion (TillPromotion *promotion, PromotionSource source, gpointer user_data)
{
  Listing              *listing_state = user_data;
  TillPromotionListing *listing;

  /* HQ's rows for other stores are none of this till's business; the till's
   * own are listed even so, so that a manager can mend them. */
  if (source != SOURCE_LOCAL &&
      !applies_in_store (promotion, listing_state->store_id, listing_state->group_id))
    {
      till_promotion_free (promotion);
      return;
    }
  listing = g_new0 (TillPromotionListing, 1);
  listing->promotion = promotion;
  listing->source = source;
  listing->editable = source == SOURCE_LOCAL;
  listing->active_now =
      applies_in_store (promotion, listing_state->store_id, listing_state->group_id);
  g_ptr_array_add (listing_state->listings, listing);
}

/**
 * till_promotion_list_for_editing:
 * @store_id: this till's store
 * @group_id: (nullable): its store group
 *
 * See the header. The copy of a code that wins is the one
 * till_promotion_load_all() gives the engine: the till's own, else the most
 * specific of HQ's; the others are marked overridden and not active.
 *
 * Returns: (transfer full) (element-type TillPromotionListing): the rows, or
 *   %NULL with @error on a store error
 */
GPtrArray *
till_promotion_list_for_editing (TillStore  *store,
                                 const char *store_id,
                                 const char *group_id,
                                 GError    **error)
{
  g_autoptr (GPtrArray) listings = NULL;
  g_autoptr (GHashTable) strongest = NULL; /* code → the strongest source (borrowed key) */
  g_autoptr (GDateTime) now = NULL;
  Listing listing_state;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (store_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  listings = g_ptr_array_new_with_free_func ((GDestroyNotify) till_promotion_listing_free);
  listing_state = (Listing){ listings, store_id, group_id };
  if (!for_each_stored_promotion (store, store_id, group_id, list_promotion, &listing_state, error))
    return NULL;

  /* Which copy of each code wins, as load_all decides it. */
  strongest = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < listings->len; i++)
    {
      TillPromotionListing *listing = g_ptr_array_index (listings, i);
      gpointer              held;

      if (!listing->active_now)
        continue; /* a till-local one for other stores replaces nothing here */
      if (!g_hash_table_lookup_extended (strongest, listing->promotion->code, NULL, &held) ||
          GPOINTER_TO_INT (held) < (int) listing->source)
        g_hash_table_insert (strongest, listing->promotion->code,
                             GINT_TO_POINTER (listing->source));
    }
  now = g_date_time_new_from_unix_local (till_user_now (store) / G_USEC_PER_SEC);
  for (guint i = 0; i < listings->len; i++)
    {
      TillPromotionListing *listing = g_ptr_array_index (listings, i);
      gpointer              held;

      if (listing->source == SOURCE_LOCAL)
        {
          for (guint j = 0; j < listings->len; j++)
            {
              TillPromotionListing *other = g_ptr_array_index (listings, j);

              if (other->source != SOURCE_LOCAL &&
                  g_strcmp0 (other->promotion->code, listing->promotion->code) == 0)
                listing->overrides_hq = TRUE;
            }
        }
      if (listing->active_now &&
          g_hash_table_lookup_extended (strongest, listing->promotion->code, NULL, &held) &&
          GPOINTER_TO_INT (held) > (int) listing->source)
        {
          listing->overridden = TRUE;
          listing->active_now = FALSE;
        }
      if (listing->active_now && now != NULL)
        listing->active_now = till_promotion_is_active_at (listing->promotion, now);
    }
  g_ptr_array_sort (listings, compare_listings);
  return g_steal_pointer (&listings);
}

/**
 * till_promotion_read_scope:
 * @out_store_id: (out) (transfer full): the store id, "" before enrolment
 * @out_group_id: (out) (transfer full) (nullable): the group id, or %NULL
 *
 * Both come from settings: sync.store, set at enrolment, and store.group,
 * which HQ sends for the till's store (src/hq/hq-store.c).
 *
 * Returns: FALSE with @error on a store error
 */
gboolean
till_promotion_read_scope (TillStore *store,
                           char     **out_store_id,
                           char     **out_group_id,
                           GError   **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  const char *store_id;
  const char *group_id;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (out_store_id != NULL && out_group_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = till_store_prepare (store,
                             "SELECT (SELECT value FROM setting WHERE key = 'sync.store'), "
                             "(SELECT value FROM setting WHERE key = 'store.group')",
                             error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the store's group"));
      return FALSE;
    }
  store_id = (const char *) sqlite3_column_text (stmt, 0);
  group_id = (const char *) sqlite3_column_text (stmt, 1);
  *out_store_id = g_strdup (store_id != NULL ? store_id : "");
  /* HQ sends "" for a store in no group. */
  *out_group_id = group_id != NULL && *group_id != '\0' ? g_strdup (group_id) : NULL;
  return TRUE;
}

/**
 * till_promotion_kind_get_label:
 *
 * Returns: the kind in words, translated, for the manager's screen
 */
const char *
till_promotion_kind_get_label (TillPromotionKind kind)
{
  switch (kind)
    {
    case TILL_PROMOTION_THRESHOLD:
      return _ ("Spend and save");
    case TILL_PROMOTION_PERCENT_OFF:
      return _ ("Percent off");
    case TILL_PROMOTION_FIXED_PRICE:
      return _ ("Fixed price");
    case TILL_PROMOTION_GIFT:
      return _ ("Gift with purchase");
    case TILL_PROMOTION_BUY_X_GET_Y:
      return _ ("Buy X get Y");
    case TILL_PROMOTION_NTH_ITEM:
      return _ ("Nth item off");
    case TILL_PROMOTION_MIX_AND_MATCH:
      return _ ("Mix and match");
    case TILL_PROMOTION_BUNDLE:
      return _ ("Bundle price");
    case TILL_PROMOTION_MEMBER_PRICE:
      return _ ("Member price");
    case TILL_PROMOTION_TIER_DISCOUNT:
      return _ ("Member tier discount");
    case TILL_PROMOTION_COUPON:
      return _ ("Coupon");
    case TILL_PROMOTION_SALE_DISCOUNT:
      return _ ("Whole-sale discount");
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * till_promotion_find_coupon:
 * @promotions: (element-type TillPromotion): from till_promotion_load_all
 * @code: as typed or scanned: trimmed, any case, full-width folded
 * @now_us: now, µs since the epoch
 *
 * Checks the coupon's date range and (in the store's local time) weekdays
 * and windows, and that a single-use code has not been used. Whether the
 * sale reaches its min_amount is the pricing engine's to say.
 *
 * Returns: (transfer full): a copy of the coupon promotion, or %NULL with
 *   %TILL_PROMOTION_ERROR_COUPON saying why it cannot be used
 *   (%TILL_PROMOTION_ERROR_NO_COUPON: no coupon has the code)
 */
TillPromotion *
till_promotion_find_coupon (
    GPtrArray *promotions, TillStore *store, const char *code, gint64 now_us, GError **error)
{
  g_autofree char *wanted = NULL;
  g_autoptr (GError) first_refusal = NULL;

  g_return_val_if_fail (promotions != NULL, NULL);
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  wanted = normalize_coupon_code (code);
  if (wanted == NULL || *wanted == '\0')
    {
      g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_NO_COUPON,
                   _ ("Scan or type the coupon's code"));
      return NULL;
    }
  /* Several promotions may carry one code (last month's and this month's):
   * the first usable one wins, else the first one's reason is told. */
  for (guint i = 0; i < promotions->len; i++)
    {
      const TillPromotion *promotion = g_ptr_array_index (promotions, i);
      g_autofree char     *candidate = NULL;
      g_autoptr (GError) refusal = NULL;

      if (promotion->kind != TILL_PROMOTION_COUPON)
        continue;
      candidate = normalize_coupon_code (promotion->coupon_code);
      if (g_strcmp0 (candidate, wanted) != 0)
        continue;
      if (coupon_usable (promotion, store, wanted, now_us, &refusal))
        return till_promotion_copy (promotion);
      if (!g_error_matches (refusal, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON))
        {
          g_propagate_error (error, g_steal_pointer (&refusal));
          return NULL;
        }
      if (first_refusal == NULL)
        first_refusal = g_steal_pointer (&refusal);
    }
  if (first_refusal != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_refusal));
      return NULL;
    }
  {
    g_autoptr (GError) member_error = NULL;
    TillPromotion *member_coupon =
        find_member_coupon (promotions, store, wanted, now_us, &member_error);

    if (member_coupon != NULL)
      return member_coupon;
    if (member_error != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&member_error));
        return NULL;
      }
  }
  g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_NO_COUPON,
               _ ("There is no coupon with the code %s"), code);
  return NULL;
}

/**
 * till_promotion_redeem_coupon:
 * @store: inside the sale's transaction
 * @code: the coupon's code, as find_coupon took it
 * @sale_uuid: the sale it pays into
 *
 * Records a use of @code. A single-use code already used fails with
 * %TILL_PROMOTION_ERROR_COUPON, as does a code no promotion holds. Outside
 * a transaction it fails with %TILL_PROMOTION_ERROR_FAILED: a use recorded
 * apart from its sale could spend a coupon for a sale that never happened.
 */
gboolean
till_promotion_redeem_coupon (
    TillStore *store, const char *code, const char *sale_uuid, gint64 now_us, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *normalized = NULL;
  gboolean         multi_use = FALSE;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (sale_uuid != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!till_store_in_transaction (store))
    {
      g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_FAILED,
                   _ ("A coupon is redeemed only inside its sale's transaction"));
      return FALSE;
    }
  normalized = normalize_coupon_code (code);
  if (normalized == NULL || *normalized == '\0')
    {
      g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_NO_COUPON,
                   _ ("Scan or type the coupon's code"));
      return FALSE;
    }
  if (!lookup_coupon_multi_use (store, normalized, &multi_use, error))
    return FALSE;
  if (!multi_use)
    {
      gint64 used_us = coupon_first_use (store, normalized, error);

      if (used_us < 0)
        return FALSE;
      if (used_us > 0)
        {
          g_autofree char *used = format_local_date (used_us, "%Y-%m-%d %H:%M");

          g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON,
                       _ ("This coupon was used on %s"), used);
          return FALSE;
        }
    }
  stmt = till_store_prepare (
      store, "INSERT OR IGNORE INTO coupon_use (code, sale_uuid, used_us) VALUES (?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, normalized, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sale_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now_us);
  if (!till_store_step_done (store, stmt, error))
    return FALSE;
  if (sqlite3_changes (till_store_get_db (store)) == 0)
    {
      g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON,
                   _ ("This coupon is already used in this sale"));
      return FALSE;
    }
  return TRUE;
}
