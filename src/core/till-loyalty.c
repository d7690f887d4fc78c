/* till-loyalty.c: what membership gives: tiers, points, member prices,
 * birthday perks, and each member's history (see till-loyalty.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-loyalty"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "till-loyalty.h"
#include "till-member.h"
#include "till-money.h"
#include "till-promotion.h"
#include "till-journal.h"
#include "till-outbox.h"
#include "till-cart.h"
#include "till-store.h"
#include "till-user.h"
#include "till-uuid.h"

#define BP_ONE 10000
#define USEC_PER_DAY (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)
#define RULES_SETTING "members.rules"

/* The points tender (till_points_tender_new). Like stored value, nothing is
 * taken before the sale's own transaction: authorize only checks the
 * member's balance and the rules' share, and the sale's commit writes the
 * redeem entry through _till_loyalty_redeem, which checks the balance
 * again, so two carts can never spend the same points. */
#define TILL_TYPE_POINTS_TENDER (till_points_tender_get_type ())
G_DECLARE_FINAL_TYPE (TillPointsTender, till_points_tender, TILL, POINTS_TENDER, GObject)

struct _TillPointsTender
{
  GObject    parent_instance;
  TillStore *store;
};

static void tender_iface_init (TillTenderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TillPointsTender,
                               till_points_tender,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TILL_TYPE_TENDER, tender_iface_init))

G_DEFINE_QUARK (till - loyalty - error - quark, till_loyalty_error)

/* The defaults of till-loyalty.h. The header leaves the visits of silver
 * and gold open; these are about twice a month and twice a week. */
static const struct
{
  const char *code;
  const char *name;
  gint64      min_spend;
  gint64      min_visits;
  gint64      discount_bp;
  gint64      points_per_yuan;
} default_tiers[] = {
  { "normal", "普通会员", 0, 0, 0, 1 },
  { "silver", "银卡会员", 100000, 24, 200, 1 },
  { "gold", "金卡会员", 500000, 100, 500, 2 },
};

/* The whole-number members of the rules, by name. */
typedef struct
{
  const char *name;
  gsize       offset;
  gint64      min;
  gint64      max;
} IntField;

static const IntField int_fields[] = {
  { "tier_period_days", G_STRUCT_OFFSET (TillLoyaltyRules, tier_period_days), 1, 36600 },
  { "points_expire_months", G_STRUCT_OFFSET (TillLoyaltyRules, points_expire_months), 0, 1200 },
  { "points_per_yuan_redeemed", G_STRUCT_OFFSET (TillLoyaltyRules, points_per_yuan_redeemed), 1,
    G_GINT64_CONSTANT (1000000) },
  { "points_max_share_bp", G_STRUCT_OFFSET (TillLoyaltyRules, points_max_share_bp), 0, BP_ONE },
  { "birthday_discount_bp", G_STRUCT_OFFSET (TillLoyaltyRules, birthday_discount_bp), 0, BP_ONE },
  { "birthday_points_multiplier", G_STRUCT_OFFSET (TillLoyaltyRules, birthday_points_multiplier), 1,
    100 },
};

static const IntField tier_int_fields[] = {
  { "min_spend", G_STRUCT_OFFSET (TillLoyaltyTier, min_spend), 0, G_MAXINT64 },
  { "min_visits", G_STRUCT_OFFSET (TillLoyaltyTier, min_visits), 0, G_MAXINT64 },
  { "discount_bp", G_STRUCT_OFFSET (TillLoyaltyTier, discount_bp), 0, BP_ONE },
  { "points_per_yuan", G_STRUCT_OFFSET (TillLoyaltyTier, points_per_yuan), 0, 10000 },
};

#define INT_FIELD(base, field) (G_STRUCT_MEMBER_P ((base), (field)->offset))

static gboolean rules_invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
rules_invalid (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (
      error, g_error_new_valist (TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_RULES, format, args));
  va_end (args);
  return FALSE;
}

static void
tier_clear (gpointer data)
{
  TillLoyaltyTier *tier = data;

  g_clear_pointer (&tier->code, g_free);
  g_clear_pointer (&tier->name, g_free);
}

static GArray *
tiers_new (void)
{
  GArray *tiers = g_array_new (FALSE, TRUE, sizeof (TillLoyaltyTier));

  g_array_set_clear_func (tiers, tier_clear);
  return tiers;
}

static TillLoyaltyRules *
rules_new_defaults (void)
{
  static const char *const excluded_tenders[] = { "stored-value", "voucher", "points", NULL };
  TillLoyaltyRules        *rules = g_new0 (TillLoyaltyRules, 1);

  rules->tiers = tiers_new ();
  for (guint i = 0; i < G_N_ELEMENTS (default_tiers); i++)
    {
      TillLoyaltyTier tier = {
        .code = g_strdup (default_tiers[i].code),
        .name = g_strdup (default_tiers[i].name),
        .min_spend = default_tiers[i].min_spend,
        .min_visits = default_tiers[i].min_visits,
        .discount_bp = default_tiers[i].discount_bp,
        .points_per_yuan = default_tiers[i].points_per_yuan,
      };

      g_array_append_val (rules->tiers, tier);
    }
  rules->tier_period_days = 365;
  rules->points_excluded_skus = g_new0 (char *, 1);
  rules->points_excluded_categories = g_new0 (char *, 1);
  rules->points_excluded_tenders = g_strdupv ((GStrv) excluded_tenders);
  rules->points_expire_months = 12;
  rules->points_per_yuan_redeemed = 100;
  rules->points_max_share_bp = 5000;
  rules->birthday_discount_bp = 1000;
  rules->birthday_points_multiplier = 2;
  rules->birthday_coupon = g_strdup ("");
  return rules;
}

static gboolean
check_range (const char *owner, const IntField *field, gint64 value, GError **error)
{
  if (value < field->min)
    return rules_invalid (error, _ ("%s: “%s” must be at least %" PRId64 ", not %" PRId64), owner,
                          field->name, field->min, value);
  if (value > field->max)
    return rules_invalid (error, _ ("%s: “%s” must be at most %" PRId64 ", not %" PRId64), owner,
                          field->name, field->max, value);
  return TRUE;
}

/* Reads a JSON array of texts. (Its own statement text: the cache hands out
 * one statement per text, and the members loop above it is still running.) */
static gboolean
parse_strv (TillStore *store, const char *array_json, const char *name, GStrv *out, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  int rc;

  stmt = till_store_prepare (store, "SELECT type, value FROM json_each (?1) /* loyalty strv */",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, array_json, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "text") != 0)
        return rules_invalid (error, _ ("The member rules' “%s” must be a list of texts"), name);
      g_ptr_array_add (values, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the member rules"));
      return FALSE;
    }
  g_ptr_array_add (values, NULL);
  g_strfreev (*out);
  *out = (GStrv) g_ptr_array_free (g_steal_pointer (&values), FALSE);
  return TRUE;
}

/* Reads the tiers: one row per (tier, member of the tier's object), so that
 * no statement runs inside another of the same text. */
static gboolean
parse_tiers (TillStore *store, const char *array_json, GArray *tiers, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gint64 current = -1;
  int    rc;

  stmt = till_store_prepare (store,
                             "SELECT t.key, t.type, m.key, m.type, m.value "
                             "FROM json_each (?1) AS t "
                             "LEFT JOIN json_each (CASE WHEN t.type = 'object' THEN t.value "
                             "ELSE '{}' END) AS m "
                             "ORDER BY t.key, m.id",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, array_json, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64           index = sqlite3_column_int64 (stmt, 0);
      const char      *key = (const char *) sqlite3_column_text (stmt, 2);
      const char      *type = (const char *) sqlite3_column_text (stmt, 3);
      TillLoyaltyTier *tier;

      if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "object") != 0)
        return rules_invalid (error, _ ("The member rules' “tiers” must be a list of objects"));
      if (index != current)
        {
          TillLoyaltyTier empty = { 0 };

          g_array_append_val (tiers, empty);
          current = index;
        }
      tier = &g_array_index (tiers, TillLoyaltyTier, tiers->len - 1);
      if (key == NULL || g_strcmp0 (type, "null") == 0)
        continue;
      if (strcmp (key, "code") == 0 || strcmp (key, "name") == 0)
        {
          char **slot = key[0] == 'c' ? &tier->code : &tier->name;

          if (g_strcmp0 (type, "text") != 0)
            return rules_invalid (error, _ ("A member tier's “%s” must be a text"), key);
          g_free (*slot);
          *slot = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
          continue;
        }
      for (guint i = 0; i < G_N_ELEMENTS (tier_int_fields); i++)
        if (strcmp (key, tier_int_fields[i].name) == 0)
          {
            if (g_strcmp0 (type, "integer") != 0)
              return rules_invalid (error, _ ("A member tier's “%s” must be a whole number"), key);
            *(gint64 *) INT_FIELD (tier, &tier_int_fields[i]) = sqlite3_column_int64 (stmt, 4);
            break;
          }
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the member rules"));
      return FALSE;
    }
  return TRUE;
}

/* Rules that contradict themselves: tiers without a code or name, twice
 * the same code, no entry tier first, thresholds not ascending. A tier's 0
 * threshold means "not reached that way", so each measure ascends over the
 * tiers that use it. */
static gboolean
validate_tiers (GArray *tiers, GError **error)
{
  const TillLoyaltyTier *last_by_spend = NULL;
  const TillLoyaltyTier *last_by_visits = NULL;

  if (tiers->len == 0)
    return rules_invalid (error, _ ("The member rules name no tiers"));
  for (guint i = 0; i < tiers->len; i++)
    {
      const TillLoyaltyTier *tier = &g_array_index (tiers, TillLoyaltyTier, i);
      g_autofree char       *owner = NULL;

      if (tier->code == NULL || *g_strstrip (tier->code) == '\0')
        return rules_invalid (error, _ ("Member tier %u has no code"), i + 1);
      if (tier->name == NULL || *g_strstrip (tier->name) == '\0')
        return rules_invalid (error, _ ("The member tier “%s” has no name"), tier->code);
      owner = g_strdup_printf (_ ("The member tier “%s”"), tier->code);
      for (guint k = 0; k < G_N_ELEMENTS (tier_int_fields); k++)
        if (!check_range (owner, &tier_int_fields[k],
                          *(const gint64 *) INT_FIELD (tier, &tier_int_fields[k]), error))
          return FALSE;
      for (guint k = 0; k < i; k++)
        if (strcmp (g_array_index (tiers, TillLoyaltyTier, k).code, tier->code) == 0)
          return rules_invalid (error, _ ("Two member tiers have the code “%s”"), tier->code);

      if (i == 0)
        {
          if (tier->min_spend != 0 || tier->min_visits != 0)
            return rules_invalid (error,
                                  _ ("The first member tier “%s” must be the entry tier, "
                                     "with min_spend and min_visits 0"),
                                  tier->code);
          continue;
        }
      if (tier->min_spend == 0 && tier->min_visits == 0)
        return rules_invalid (error,
                              _ ("The member tier “%s” needs a min_spend or min_visits: only "
                                 "the first tier is the entry tier"),
                              tier->code);
      if (tier->min_spend > 0)
        {
          if (last_by_spend != NULL && tier->min_spend <= last_by_spend->min_spend)
            return rules_invalid (error,
                                  _ ("The member tiers must ascend: “%s” needs more spend "
                                     "than “%s”"),
                                  tier->code, last_by_spend->code);
          last_by_spend = tier;
        }
      if (tier->min_visits > 0)
        {
          if (last_by_visits != NULL && tier->min_visits <= last_by_visits->min_visits)
            return rules_invalid (error,
                                  _ ("The member tiers must ascend: “%s” needs more visits "
                                     "than “%s”"),
                                  tier->code, last_by_visits->code);
          last_by_visits = tier;
        }
    }
  return TRUE;
}

static gboolean
parse_rules (TillStore *store, const char *json, TillLoyaltyRules *rules, GError **error)
{
  g_autoptr (TillStmt) check = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  check = till_store_prepare (
      store, "SELECT json_valid (?1), CASE WHEN json_valid (?1) THEN json_type (?1) END", error);
  if (check == NULL)
    return FALSE;
  sqlite3_bind_text (check, 1, json, -1, SQLITE_STATIC);
  if (sqlite3_step (check) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the member rules"));
      return FALSE;
    }
  if (sqlite3_column_int (check, 0) == 0)
    return rules_invalid (error, _ ("The member rules are not valid JSON"));
  if (g_strcmp0 ((const char *) sqlite3_column_text (check, 1), "object") != 0)
    return rules_invalid (error, _ ("The member rules are not a JSON object"));

  stmt = till_store_prepare (store, "SELECT key, type, value FROM json_each (?1) /* loyalty */",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);
      const char *type = (const char *) sqlite3_column_text (stmt, 1);
      const char *value = (const char *) sqlite3_column_text (stmt, 2);
      GStrv      *strv = NULL;

      /* Absent or null members keep their defaults; unknown ones are
       * ignored (HQ may be newer than this till). */
      if (key == NULL || g_strcmp0 (type, "null") == 0)
        continue;
      if (strcmp (key, "tiers") == 0)
        {
          g_autoptr (GArray) tiers = tiers_new ();

          if (g_strcmp0 (type, "array") != 0)
            return rules_invalid (error, _ ("The member rules' “tiers” must be a list of objects"));
          if (!parse_tiers (store, value, tiers, error))
            return FALSE;
          g_array_unref (rules->tiers);
          rules->tiers = g_steal_pointer (&tiers);
          continue;
        }
      if (strcmp (key, "birthday_coupon") == 0)
        {
          if (g_strcmp0 (type, "text") != 0)
            return rules_invalid (error, _ ("The member rules' “%s” must be a text"), key);
          g_free (rules->birthday_coupon);
          rules->birthday_coupon = g_strstrip (g_strdup (value));
          continue;
        }
      if (strcmp (key, "points_excluded_skus") == 0)
        strv = &rules->points_excluded_skus;
      else if (strcmp (key, "points_excluded_categories") == 0)
        strv = &rules->points_excluded_categories;
      else if (strcmp (key, "points_excluded_tenders") == 0)
        strv = &rules->points_excluded_tenders;
      if (strv != NULL)
        {
          if (g_strcmp0 (type, "array") != 0)
            return rules_invalid (error, _ ("The member rules' “%s” must be a list of texts"), key);
          if (!parse_strv (store, value, key, strv, error))
            return FALSE;
          continue;
        }
      for (guint i = 0; i < G_N_ELEMENTS (int_fields); i++)
        if (strcmp (key, int_fields[i].name) == 0)
          {
            if (g_strcmp0 (type, "integer") != 0)
              return rules_invalid (error, _ ("The member rules' “%s” must be a whole number"),
                                    key);
            *(gint64 *) INT_FIELD (rules, &int_fields[i]) = sqlite3_column_int64 (stmt, 2);
            break;
          }
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the member rules"));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (int_fields); i++)
    if (!check_range (_ ("The member rules"), &int_fields[i],
                      *(const gint64 *) INT_FIELD (rules, &int_fields[i]), error))
      return FALSE;
  return validate_tiers (rules->tiers, error);
}

static const TillLoyaltyTier *
tier_of (const TillLoyaltyRules *rules, const TillMember *member)
{
  const TillLoyaltyTier *tier = NULL;

  if (member != NULL && member->tier != NULL)
    tier = till_loyalty_rules_find_tier (rules, member->tier);
  /* A member not yet evaluated, or of a tier the rules no longer have, is
   * of the entry tier. */
  if (tier == NULL && rules->tiers->len > 0)
    tier = &g_array_index (rules->tiers, TillLoyaltyTier, 0);
  return tier;
}

/* The Monday of @member's birthday week around @local, if @local is in it. */
static gboolean
find_birthday_week (const TillMember *member, GDateTime *local, GDate *out_monday)
{
  GDate today;
  int   year;

  if (member == NULL || local == NULL || member->birth_month < 1 || member->birth_month > 12 ||
      member->birth_day < 1 || member->birth_day > 31)
    return FALSE;
  year = g_date_time_get_year (local);
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, (GDateDay) g_date_time_get_day_of_month (local),
                  (GDateMonth) g_date_time_get_month (local), (GDateYear) year);

  /* The week may straddle New Year: try the birthday of the years around. */
  for (int y = year - 1; y <= year + 1; y++)
    {
      GDateDay day = (GDateDay) member->birth_day;
      GDate    monday;
      GDate    sunday;

      if (member->birth_month == 2 && day == 29 && !g_date_is_leap_year ((GDateYear) y))
        day = 28;
      if (!g_date_valid_dmy (day, (GDateMonth) member->birth_month, (GDateYear) y))
        continue;
      g_date_clear (&monday, 1);
      g_date_set_dmy (&monday, day, (GDateMonth) member->birth_month, (GDateYear) y);
      g_date_subtract_days (&monday, g_date_get_weekday (&monday) - G_DATE_MONDAY);
      sunday = monday;
      g_date_add_days (&sunday, 6);
      if (g_date_compare (&today, &monday) >= 0 && g_date_compare (&today, &sunday) <= 0)
        {
          *out_monday = monday;
          return TRUE;
        }
    }
  return FALSE;
}

static gint64
local_midnight_us (GDateTime *local, const GDate *date)
{
  g_autoptr (GDateTime) midnight =
      g_date_time_new (g_date_time_get_timezone (local), g_date_get_year (date),
                       g_date_get_month (date), g_date_get_day (date), 0, 0, 0);

  return g_date_time_to_unix (midnight) * G_USEC_PER_SEC;
}

static GStrv
strv_of_one (const char *value)
{
  GStrv strv = g_new0 (char *, 2);

  strv[0] = g_strdup (value);
  return strv;
}

static gboolean
read_balance (TillStore *store, const char *member_id, gint64 *out_balance, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (
      store, "SELECT coalesce(sum(points), 0) FROM member_points WHERE member_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the member's points"));
      return FALSE;
    }
  *out_balance = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* The member's tier code; FALSE with TILL_MEMBER_ERROR_NOT_FOUND when there
 * is no such member. */
static gboolean
read_member_tier (TillStore *store, const char *member_id, char **out_tier, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (store, "SELECT tier FROM member WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND, _ ("No member %s"),
                   member_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the member"));
      return FALSE;
    }
  *out_tier = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  return TRUE;
}

/* What the open cart's applied tenders paid so far, and of that what
 * points paid (fen) and the points they spend for @member_id. */
static gboolean
read_cart_tenders (TillStore  *store,
                   const char *cart_uuid,
                   const char *member_id,
                   gint64     *out_paid,
                   gint64     *out_points_paid,
                   gint64     *out_points_spent,
                   GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  *out_paid = *out_points_paid = *out_points_spent = 0;
  if (cart_uuid == NULL)
    return TRUE;
  stmt = till_store_prepare (store,
                             "SELECT coalesce(sum(amount), 0),"
                             " coalesce(sum(CASE WHEN kind = 'points' THEN amount END), 0),"
                             " coalesce(sum(CASE WHEN kind = 'points' AND reference = ?2"
                             "   THEN tendered END), 0) "
                             "FROM cart_tender WHERE cart_uuid = ?1",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, cart_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, member_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the payment of the sale"));
      return FALSE;
    }
  *out_paid = sqlite3_column_int64 (stmt, 0);
  *out_points_paid = sqlite3_column_int64 (stmt, 1);
  *out_points_spent = sqlite3_column_int64 (stmt, 2);
  return TRUE;
}

/* The amount is capped, not refused, by the balance and by the rules'
 * share, so "pay with points" takes what points may pay and leaves the rest
 * due; it is refused only when points can pay nothing. The sale's total is
 * what is still due plus what the cart's applied tenders paid already
 * (the request carries only the due, as for vouchers). */
static TillSalePayment *
authorize (TillTender *tender, const TillTenderRequest *request, GError **error)
{
  TillPointsTender *self = (TillPointsTender *) tender;
  g_autoptr (TillLoyaltyRules) rules = NULL;
  g_autofree char *member_id = g_strstrip (g_strdup (request->input != NULL ? request->input : ""));
  g_autofree char *tier = NULL;
  g_autoptr (GError) local_error = NULL;
  TillSalePayment *payment;
  gint64           balance, paid, points_paid, points_spent;
  gint64           available, balance_cap, share_cap, total, amount, points;

  if (*member_id == '\0')
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Find the member who pays with points first"));
      return NULL;
    }
  if (request->due <= 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
                   _ ("Nothing is left to pay"));
      return NULL;
    }
  amount = MIN (request->amount, request->due);
  if (amount <= 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Enter the amount paid with points"));
      return NULL;
    }
  rules = till_loyalty_rules_load (self->store, error);
  if (rules == NULL)
    return NULL;
  if (rules->points_max_share_bp == 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_DISABLED,
                   _ ("The store's rules do not let points pay"));
      return NULL;
    }
  if (!read_member_tier (self->store, member_id, &tier, &local_error))
    {
      if (g_error_matches (local_error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND))
        g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID, "%s",
                     local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (!read_balance (self->store, member_id, &balance, error) ||
      !read_cart_tenders (self->store, request->cart_uuid, member_id, &paid, &points_paid,
                          &points_spent, error))
    return NULL;

  available = balance - points_spent;
  if (available <= 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
                   points_spent > 0 ? _ ("The member's points are already spent on this sale")
                                    : _ ("The member has no points to spend"));
      return NULL;
    }
  balance_cap = available * 100 / rules->points_per_yuan_redeemed;
  if (balance_cap <= 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
                   _ ("The member's %" PRId64 " points are worth less than ¥0.01 "
                      "(%" PRId64 " points pay ¥1)"),
                   available, rules->points_per_yuan_redeemed);
      return NULL;
    }
  total = request->due + paid;
  share_cap = total * rules->points_max_share_bp / BP_ONE - points_paid;
  if (share_cap <= 0)
    {
      g_autofree char *most = till_money_format_yuan (total * rules->points_max_share_bp / BP_ONE);

      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
                   _ ("Points may pay at most %s of this sale, and already do"), most);
      return NULL;
    }
  amount = MIN (amount, MIN (balance_cap, share_cap));
  /* Rounded up: a fraction of a point is never given away. */
  points = (amount * rules->points_per_yuan_redeemed + 99) / 100;

  payment = till_sale_payment_new ("points", TILL_TENDER_KIND_POINTS, amount);
  payment->tendered = points;
  payment->reference = g_strdup (member_id);
  /* Recorded with the sale and printed as it is on every reprint, so it is
   * the receipt's Chinese, not the cashier's locale. */
  payment->account = g_strdup_printf ("积分 %" PRId64, points);
  return payment;
}

static const char *
get_id (TillTender *tender)
{
  return "points";
}

static char *
dup_label (TillTender *tender)
{
  return g_strdup (_ ("Points"));
}

static TillTenderKind
get_kind (TillTender *tender)
{
  return TILL_TENDER_KIND_POINTS;
}

static void
tender_iface_init (TillTenderInterface *iface)
{
  iface->get_id = get_id;
  iface->dup_label = dup_label;
  iface->get_kind = get_kind;
  iface->authorize = authorize;
  /* No release: nothing is redeemed before the sale's own transaction. */
}

static void
till_points_tender_dispose (GObject *object)
{
  TillPointsTender *self = (TillPointsTender *) object;

  g_clear_object (&self->store);

  G_OBJECT_CLASS (till_points_tender_parent_class)->dispose (object);
}

static void
till_points_tender_class_init (TillPointsTenderClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = till_points_tender_dispose;
}

static void
till_points_tender_init (TillPointsTender *self)
{
}

/* ------------------------------------------------------ member coupons */

/* A code as the cashier may type or scan it, as till-promotion.c folds
 * coupon codes: trimmed, full-width folded to ASCII, any case. */
static char *
normalize_code (const char *code)
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
format_local_time (gint64 when_us)
{
  g_autoptr (GDateTime) local = g_date_time_new_from_unix_local (when_us / G_USEC_PER_SEC);

  return local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

/* The coupon promotion of @promotion_code among those the till holds for
 * its store, or NULL with @error set. */
static TillPromotion *
find_coupon_promotion (TillStore *store, const char *promotion_code, GError **error)
{
  g_autoptr (GPtrArray) promotions = NULL;
  g_autofree char *store_id = NULL;
  g_autofree char *group_id = NULL;

  if (!till_promotion_read_scope (store, &store_id, &group_id, error))
    return NULL;
  promotions = till_promotion_load_all (store, store_id, group_id, error);
  if (promotions == NULL)
    return NULL;
  for (guint i = 0; i < promotions->len; i++)
    {
      const TillPromotion *promotion = g_ptr_array_index (promotions, i);

      if (g_strcmp0 (promotion->code, promotion_code) == 0 &&
          promotion->kind == TILL_PROMOTION_COUPON && promotion->coupon_code != NULL)
        return till_promotion_copy (promotion);
    }
  g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_NO_COUPON,
               _ ("There is no coupon promotion %s"), promotion_code);
  return NULL;
}

/* Whether the member exists and still has their data (an erased member is
 * only an id: nobody to hand a coupon or a gift to). */
static gboolean
check_member_active (TillStore *store, const char *member_id, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (store, "SELECT erased_us FROM member WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND, _ ("No member %s"),
                   member_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the member"));
      return FALSE;
    }
  if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_ERASED,
                   _ ("This member's personal data was erased on their request"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
member_coupon_exists (TillStore *store, const char *code, gboolean *out_exists, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (store, "SELECT 1 FROM member_coupon WHERE code = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the member coupons"));
      return FALSE;
    }
  *out_exists = rc == SQLITE_ROW;
  return TRUE;
}

/* A code nobody holds: the promotion's coupon code, "-" and 6 uppercase
 * letters and digits (36^6, about two billion: a guessed code is still
 * someone else's, which the cart refuses). */
static char *
new_member_coupon_code (TillStore *store, const char *coupon_code, GError **error)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  for (guint attempt = 0; attempt < 32; attempt++)
    {
      char             suffix[7];
      g_autofree char *code = NULL;
      gboolean         exists = FALSE;

      for (guint i = 0; i < 6; i++)
        suffix[i] = alphabet[g_random_int_range (0, sizeof alphabet - 1)];
      suffix[6] = '\0';
      code = g_strconcat (coupon_code, "-", suffix, NULL);
      if (!member_coupon_exists (store, code, &exists, error))
        return NULL;
      if (!exists)
        return g_steal_pointer (&code);
    }
  g_set_error (error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_FAILED,
               _ ("Cannot find a free code for the coupon %s"), coupon_code);
  return NULL;
}

/* Journals and queues a "member" document for HQ of @action, whose fields
 * @fields (a JSON object's members, may be empty) adds; @user is NULL for
 * what the daily upkeep does by itself. Inside the caller's transaction. */
static gboolean
record_member_op (TillStore   *store,
                  TillJournal *journal,
                  TillUser    *user,
                  const char  *journal_kind,
                  const char  *action,
                  const char  *op_uuid,
                  const char  *member_id,
                  const char  *fields,
                  gint64       now_us,
                  GError     **error)
{
  g_autoptr (GString) body = g_string_new ("{");
  g_autofree char *hash_hex = NULL;
  guint8           journal_hash[TILL_JOURNAL_HASH_LEN] = { 0 };
  gint64           journal_seq = 0;

  _till_json_add_string (body, "uuid", op_uuid);
  _till_json_add_string (body, "member_id", member_id);
  _till_json_add_string (body, "action", action);
  if (*fields != '\0')
    g_string_append_printf (body, ",%s", fields);
  if (user != NULL)
    _till_json_add_user (body, user);
  _till_json_add_int (body, "updated_us", now_us);
  g_string_append_c (body, '}');

  {
    g_autoptr (GBytes) bytes = g_bytes_new (body->str, body->len);

    if (!till_journal_append (journal, journal_kind, op_uuid, now_us, bytes, &journal_seq,
                              journal_hash, error))
      return FALSE;
    hash_hex = till_journal_hash_to_hex (journal_hash);
  }
  return till_outbox_append (store, "member", "member", op_uuid, body->str, journal_seq, hash_hex,
                             now_us, error);
}

/* Issues @promotion to @member_id inside the caller's transaction. */
static TillMemberCoupon *
issue_in_transaction (TillStore           *store,
                      TillJournal         *journal,
                      TillUser            *user,
                      const char          *member_id,
                      const TillPromotion *promotion,
                      const char          *reason,
                      gint64               now_us,
                      GError             **error)
{
  g_autoptr (TillMemberCoupon) coupon = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GString) fields = g_string_new ("");
  g_autofree char *op_uuid = till_uuid_v7_new ();
  g_autofree char *code = NULL;

  code = new_member_coupon_code (store, promotion->coupon_code, error);
  if (code == NULL)
    return NULL;
  stmt = till_store_prepare (store,
                             "INSERT INTO member_coupon (code, member_id, promotion, issued_us, "
                             "reason) VALUES (?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, member_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, promotion->code, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, now_us);
  sqlite3_bind_text (stmt, 5, reason, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    return NULL;

  _till_json_add_string (fields, "code", code);
  _till_json_add_string (fields, "promotion", promotion->code);
  _till_json_add_string (fields, "reason", reason);
  if (!record_member_op (store, journal, user, "member-coupon", "coupon", op_uuid, member_id,
                         fields->str, now_us, error))
    return NULL;

  coupon = g_new0 (TillMemberCoupon, 1);
  coupon->code = g_steal_pointer (&code);
  coupon->promotion = g_strdup (promotion->code);
  coupon->name = g_strdup (promotion->name);
  coupon->reason = g_strdup (reason);
  coupon->issued_us = now_us;
  return g_steal_pointer (&coupon);
}

/* Whether a birthday coupon was issued to @member_id since @since_us. */
static gboolean
birthday_coupon_issued (
    TillStore *store, const char *member_id, gint64 since_us, gboolean *out_issued, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (store,
                             "SELECT 1 FROM member_coupon WHERE member_id = ? "
                             "AND reason = 'birthday' AND issued_us >= ? LIMIT 1",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, since_us);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the member coupons"));
      return FALSE;
    }
  *out_issued = rc == SQLITE_ROW;
  return TRUE;
}

/* The birthday coupon for one member, if their birthday week (of @now_us's
 * year) has begun and they have not had it this week: a till that was off
 * on the Monday still gives it later in the week, once. */
static gboolean
maybe_issue_birthday_coupon (TillStore           *store,
                             TillJournal         *journal,
                             TillMemberKey       *key,
                             const char          *member_id,
                             const TillPromotion *promotion,
                             gint64               now_us,
                             GError             **error)
{
  g_autoptr (TillMember) member = NULL;
  g_autoptr (TillMemberCoupon) coupon = NULL;
  g_autoptr (GDateTime) local = g_date_time_new_from_unix_local (now_us / G_USEC_PER_SEC);
  GDate    monday;
  gboolean issued = FALSE;

  member = till_member_load (store, key, member_id, error);
  if (member == NULL)
    return FALSE;
  if (member->erased || !find_birthday_week (member, local, &monday))
    return TRUE;
  if (!birthday_coupon_issued (store, member_id, local_midnight_us (local, &monday), &issued,
                               error))
    return FALSE;
  if (issued)
    return TRUE;

  if (!till_store_begin (store, error))
    return FALSE;
  coupon =
      issue_in_transaction (store, journal, NULL, member_id, promotion, "birthday", now_us, error);
  if (coupon == NULL || !till_store_commit (store, error))
    {
      till_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

void
till_loyalty_rules_free (TillLoyaltyRules *rules)
{
  if (rules == NULL)
    return;
  g_clear_pointer (&rules->tiers, g_array_unref);
  g_strfreev (rules->points_excluded_skus);
  g_strfreev (rules->points_excluded_categories);
  g_strfreev (rules->points_excluded_tenders);
  g_free (rules->birthday_coupon);
  g_free (rules);
}

/**
 * till_loyalty_rules_load:
 *
 * Reads the setting "members.rules" with SQLite's JSON functions on
 * @store's connection. Members absent or null keep the defaults of
 * till-loyalty.h; "tiers", when given, replaces the whole list; unknown
 * members are ignored. points_expire_months 0 means points never expire.
 *
 * Returns: (transfer full): the rules, or %NULL with @error set
 *   (TILL_LOYALTY_ERROR_RULES says what is wrong with the setting)
 */
TillLoyaltyRules *
till_loyalty_rules_load (TillStore *store, GError **error)
{
  g_autoptr (TillLoyaltyRules) rules = NULL;
  g_autofree char *json = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rules = rules_new_defaults ();
  json = till_store_get_setting (store, RULES_SETTING);
  if (json == NULL || *g_strstrip (json) == '\0')
    return g_steal_pointer (&rules);
  if (!parse_rules (store, json, rules, error))
    return NULL;
  return g_steal_pointer (&rules);
}

/**
 * till_loyalty_rules_find_tier:
 *
 * Returns: (transfer none) (nullable): the tier of @code, %NULL when the
 *   rules have none
 */
const TillLoyaltyTier *
till_loyalty_rules_find_tier (const TillLoyaltyRules *rules, const char *code)
{
  g_return_val_if_fail (rules != NULL, NULL);

  if (code == NULL)
    return NULL;
  for (guint i = 0; i < rules->tiers->len; i++)
    {
      const TillLoyaltyTier *tier = &g_array_index (rules->tiers, TillLoyaltyTier, i);

      if (g_strcmp0 (tier->code, code) == 0)
        return tier;
    }
  return NULL;
}

/**
 * till_loyalty_in_birthday_week:
 * @member: (nullable)
 * @local: (nullable): the store's local time
 */
gboolean
till_loyalty_in_birthday_week (const TillMember *member, GDateTime *local)
{
  GDate monday;

  return find_birthday_week (member, local, &monday);
}

/**
 * till_loyalty_member_promotions:
 *
 * The member price (MEMBER-PRICE, stacking with everything: the engine
 * gives a line at most one line promotion anyway), the tier discount
 * (MEMBER-TIER-<code>, only for the member's tier, when it has one) and in
 * the birthday week the birthday discount (MEMBER-BIRTHDAY, valid from that
 * Monday to the next, so a cart kept past Sunday midnight loses it). Tier
 * and birthday discounts share the exclusive group "member": the customer
 * gets the better of the two, on top of the store's own promotions.
 *
 * Returns: (transfer full) (element-type TillPromotion): the promotions,
 *   each valid by till_promotion_validate
 */
GPtrArray *
till_loyalty_member_promotions (const TillLoyaltyRules *rules,
                                const TillMember       *member,
                                GDateTime              *local)
{
  g_autoptr (GPtrArray) promotions = NULL;
  const TillLoyaltyTier *tier;
  TillPromotion         *promotion;
  GDate                  monday;

  g_return_val_if_fail (rules != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);
  g_return_val_if_fail (local != NULL, NULL);

  promotions = g_ptr_array_new_with_free_func ((GDestroyNotify) till_promotion_free);

  promotion = till_promotion_new ("MEMBER-PRICE", _ ("Member price"), TILL_PROMOTION_MEMBER_PRICE);
  promotion->member_only = TRUE;
  g_ptr_array_add (promotions, promotion);

  tier = till_loyalty_rules_find_tier (rules, member->tier);
  if (tier != NULL && tier->discount_bp > 0)
    {
      g_autofree char *code = g_strconcat ("MEMBER-TIER-", tier->code, NULL);
      g_autofree char *name = g_strdup_printf (_ ("%s discount"), tier->name);

      promotion = till_promotion_new (code, name, TILL_PROMOTION_TIER_DISCOUNT);
      promotion->member_only = TRUE;
      promotion->tiers_only = strv_of_one (tier->code);
      promotion->percent_bp = tier->discount_bp;
      promotion->stacking = TILL_STACKING_EXCLUSIVE_GROUP;
      promotion->stacking_group = g_strdup ("member");
      g_ptr_array_add (promotions, promotion);
    }

  if (rules->birthday_discount_bp > 0 && find_birthday_week (member, local, &monday))
    {
      GDate next_monday = monday;

      g_date_add_days (&next_monday, 7);
      promotion = till_promotion_new ("MEMBER-BIRTHDAY", _ ("Birthday discount"),
                                      TILL_PROMOTION_PERCENT_OFF);
      promotion->member_only = TRUE;
      promotion->percent_bp = rules->birthday_discount_bp;
      promotion->stacking = TILL_STACKING_EXCLUSIVE_GROUP;
      promotion->stacking_group = g_strdup ("member");
      promotion->valid_from_us = local_midnight_us (local, &monday);
      promotion->valid_until_us = local_midnight_us (local, &next_monday);
      g_ptr_array_add (promotions, promotion);
    }

  for (guint i = 0; i < promotions->len;)
    {
      g_autoptr (GError) local_error = NULL;
      const TillPromotion *built = g_ptr_array_index (promotions, i);

      /* Built from validated rules, so this is a bug here, not bad data. */
      if (!till_promotion_validate (built, &local_error))
        {
          g_critical ("Member promotion %s does not validate: %s", built->code,
                      local_error->message);
          g_ptr_array_remove_index (promotions, i);
          continue;
        }
      i++;
    }
  return g_steal_pointer (&promotions);
}

/**
 * till_loyalty_points_balance:
 *
 * Returns: the sum of @member_id's ledger entries; 0 with @error set when
 *   the store cannot be read
 */
gint64
till_loyalty_points_balance (TillStore *store, const char *member_id, GError **error)
{
  gint64 balance = 0;

  g_return_val_if_fail (TILL_IS_STORE (store), 0);
  g_return_val_if_fail (member_id != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!read_balance (store, member_id, &balance, error))
    return 0;
  return balance;
}

/**
 * till_loyalty_points_for:
 * @member: (nullable): the buyer; without one (or without a known tier) the
 *   entry tier's rate
 * @eligible: fen that earn points
 * @local: (nullable): the sale's local time, for the birthday multiplier
 *
 * Returns: floor (@eligible / 100 × the tier's points_per_yuan × the
 *   birthday multiplier in the member's birthday week), ≥ 0
 */
gint64
till_loyalty_points_for (const TillLoyaltyRules *rules,
                         const TillMember       *member,
                         gint64                  eligible,
                         GDateTime              *local)
{
  const TillLoyaltyTier *tier;
  gint64                 multiplier = 1;

  g_return_val_if_fail (rules != NULL, 0);

  tier = tier_of (rules, member);
  if (tier == NULL || eligible <= 0)
    return 0;
  if (till_loyalty_in_birthday_week (member, local))
    multiplier = rules->birthday_points_multiplier;
  return eligible * tier->points_per_yuan * multiplier / 100;
}

/**
 * till_loyalty_points_expires_us:
 * @local: when the points are earned, the store's local time
 *
 * Returns: the first µs of the month after the one points_expire_months
 *   after @local's (points earned on 2026-01-15 with 12 months expire at
 *   2027-02-01 00:00 local), or 0 when points never expire
 */
gint64
till_loyalty_points_expires_us (const TillLoyaltyRules *rules, GDateTime *local)
{
  g_autoptr (GDateTime) expires = NULL;
  gint64 months;

  g_return_val_if_fail (rules != NULL, 0);
  g_return_val_if_fail (local != NULL, 0);

  if (rules->points_expire_months <= 0)
    return 0;
  months = (gint64) g_date_time_get_year (local) * 12 + (g_date_time_get_month (local) - 1) +
           rules->points_expire_months + 1;
  expires = g_date_time_new (g_date_time_get_timezone (local), (int) (months / 12),
                             (int) (months % 12) + 1, 1, 0, 0, 0);
  return g_date_time_to_unix (expires) * G_USEC_PER_SEC;
}

/**
 * _till_loyalty_add_points:
 *
 * Writes one ledger entry (op_uuid a UUIDv7) inside the caller's
 * transaction. The sign must fit the kind: earn > 0, redeem and expire < 0,
 * refund and adjust either way but not 0.
 *
 * Returns: %TRUE when written; %FALSE with @error set
 */
gboolean
_till_loyalty_add_points (TillStore  *store,
                          const char *member_id,
                          const char *kind,
                          gint64      points,
                          gint64      expires_us,
                          const char *sale_uuid,
                          const char *return_uuid,
                          gint64      now_us,
                          GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *op_uuid = NULL;
  gboolean         sign_ok;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (member_id != NULL, FALSE);
  g_return_val_if_fail (kind != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Ordinary checks, not asserts: the ledger is money. */
  if (strcmp (kind, "earn") == 0)
    sign_ok = points > 0;
  else if (strcmp (kind, "redeem") == 0 || strcmp (kind, "expire") == 0)
    sign_ok = points < 0;
  else if (strcmp (kind, "refund") == 0 || strcmp (kind, "adjust") == 0)
    sign_ok = points != 0;
  else
    {
      g_set_error (error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_FAILED,
                   _ ("Unknown kind of points entry “%s”"), kind);
      return FALSE;
    }
  if (!sign_ok)
    {
      g_set_error (error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_FAILED,
                   _ ("A points entry of kind “%s” cannot be %" PRId64 " points"), kind, points);
      return FALSE;
    }

  op_uuid = till_uuid_v7_new ();
  stmt = till_store_prepare (store,
                             "INSERT INTO member_points (op_uuid, member_id, kind, points, "
                             "expires_us, sale_uuid, return_uuid, created_us) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, op_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, member_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, points);
  sqlite3_bind_int64 (stmt, 5, strcmp (kind, "earn") == 0 ? expires_us : 0);
  sqlite3_bind_text (stmt, 6, sale_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, return_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 8, now_us);
  return till_store_step_done (store, stmt, error);
}

/**
 * _till_loyalty_redeem:
 * @points: points the sale spends, > 0 (the points tender's tendered)
 *
 * Returns: %TRUE when the redeem entry is written; %FALSE with @error set
 *   (TILL_LOYALTY_ERROR_POINTS when the balance no longer covers @points)
 */
gboolean
_till_loyalty_redeem (TillStore  *store,
                      const char *member_id,
                      gint64      points,
                      const char *sale_uuid,
                      gint64      now_us,
                      GError    **error)
{
  gint64 balance;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (member_id == NULL || *member_id == '\0' || points <= 0)
    {
      g_set_error (error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_POINTS,
                   _ ("The points tender names no member or points"));
      return FALSE;
    }
  if (!read_balance (store, member_id, &balance, error))
    return FALSE;
  if (balance < points)
    {
      g_set_error (
          error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_POINTS,
          _ ("The member has %" PRId64 " points, fewer than the %" PRId64 " this sale spends"),
          balance, points);
      return FALSE;
    }
  return _till_loyalty_add_points (store, member_id, "redeem", -points, 0, sale_uuid, NULL, now_us,
                                   error);
}

typedef struct
{
  char  *member_id;
  gint64 points;
} DueExpiry;

static void
due_expiry_clear (gpointer data)
{
  g_free (((DueExpiry *) data)->member_id);
}

/**
 * till_loyalty_expire_points:
 * @member_id: (nullable): one member, or %NULL for every member
 *
 * First in, first out: of each member's earnings whose expiry is at or
 * before @now_us, what the member has not consumed expires, where consumed
 * is the points redeemed (less those a return gave back), earned points
 * clawed back by returns, points already expired and adjustments down.
 * Never more than the balance. Running it again expires nothing more. One
 * transaction (or the caller's).
 *
 * Returns: the points expired now, or -1 with @error set
 */
gint64
till_loyalty_expire_points (TillStore *store, const char *member_id, gint64 now_us, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GArray) due = NULL;
  gboolean own_transaction;
  gint64   expired = 0;
  int      rc;

  g_return_val_if_fail (TILL_IS_STORE (store), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  own_transaction = !till_store_in_transaction (store);
  if (own_transaction && !till_store_begin (store, error))
    return -1;

  due = g_array_new (FALSE, TRUE, sizeof (DueExpiry));
  g_array_set_clear_func (due, due_expiry_clear);
  stmt = till_store_prepare (
      store,
      "SELECT member_id,"
      " sum(CASE WHEN kind = 'earn' AND expires_us > 0 AND expires_us <= ?2"
      "   THEN points ELSE 0 END),"
      " max(0, sum(CASE WHEN kind = 'redeem' THEN -points ELSE 0 END)"
      "   - sum(CASE WHEN kind = 'refund' AND points > 0 THEN points ELSE 0 END))"
      " + sum(CASE WHEN kind = 'refund' AND points < 0 THEN -points ELSE 0 END)"
      " + sum(CASE WHEN kind = 'expire' THEN -points ELSE 0 END)"
      " + sum(CASE WHEN kind = 'adjust' AND points < 0 THEN -points ELSE 0 END),"
      " sum(points) "
      "FROM member_points WHERE ?1 IS NULL OR member_id = ?1 "
      "GROUP BY member_id ORDER BY member_id",
      error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, now_us);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64    expired_earnings = sqlite3_column_int64 (stmt, 1);
      gint64    consumed = sqlite3_column_int64 (stmt, 2);
      gint64    balance = sqlite3_column_int64 (stmt, 3);
      DueExpiry entry;

      entry.points = MIN (expired_earnings - consumed, balance);
      if (entry.points <= 0)
        continue;
      entry.member_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      g_array_append_val (due, entry);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the members' points"));
      goto failed;
    }
  g_clear_pointer (&stmt, till_stmt_release);

  for (guint i = 0; i < due->len; i++)
    {
      const DueExpiry *entry = &g_array_index (due, DueExpiry, i);

      if (!_till_loyalty_add_points (store, entry->member_id, "expire", -entry->points, 0, NULL,
                                     NULL, now_us, error))
        goto failed;
      expired += entry->points;
    }
  if (own_transaction && !till_store_commit (store, error))
    goto failed;
  return expired;

failed:
  if (own_transaction)
    till_store_rollback (store);
  return -1;
}

/**
 * till_loyalty_evaluate_tier:
 *
 * Spend is the total of the member's sales over the tier_period_days before
 * @now_us less what returns (up to @now_us) refunded of those sales;
 * visits are those sales. The tier is the highest whose min_spend or
 * min_visits is reached, the entry tier otherwise.
 *
 * Returns: (transfer full): the tier code, or %NULL with @error set
 *   (TILL_MEMBER_ERROR_NOT_FOUND, TILL_LOYALTY_ERROR_RULES, …)
 */
char *
till_loyalty_evaluate_tier (TillStore *store, const char *member_id, gint64 now_us, GError **error)
{
  g_autoptr (TillLoyaltyRules) rules = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char       *current = NULL;
  const TillLoyaltyTier *reached = NULL;
  gboolean               own_transaction;
  gint64                 since_us, spend, visits;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (member_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rules = till_loyalty_rules_load (store, error);
  if (rules == NULL)
    return NULL;
  since_us = now_us - rules->tier_period_days * USEC_PER_DAY;

  own_transaction = !till_store_in_transaction (store);
  if (own_transaction && !till_store_begin (store, error))
    return NULL;
  if (!read_member_tier (store, member_id, &current, error))
    goto failed;

  stmt = till_store_prepare (store,
                             "SELECT coalesce(sum(s.total), 0) - coalesce(sum("
                             "   (SELECT sum(r.refund_total) FROM sale_return r"
                             "    WHERE r.sale_uuid = s.uuid AND r.created_us <= ?3)), 0),"
                             " count(*) "
                             "FROM sale s WHERE s.member_id = ?1"
                             " AND s.created_us > ?2 AND s.created_us <= ?3",
                             error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, since_us);
  sqlite3_bind_int64 (stmt, 3, now_us);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the member's sales"));
      goto failed;
    }
  spend = sqlite3_column_int64 (stmt, 0);
  visits = sqlite3_column_int64 (stmt, 1);
  g_clear_pointer (&stmt, till_stmt_release);

  for (guint i = rules->tiers->len; i > 0 && reached == NULL; i--)
    {
      const TillLoyaltyTier *tier = &g_array_index (rules->tiers, TillLoyaltyTier, i - 1);

      if ((tier->min_spend == 0 && tier->min_visits == 0) ||
          (tier->min_spend > 0 && spend >= tier->min_spend) ||
          (tier->min_visits > 0 && visits >= tier->min_visits))
        reached = tier;
    }
  g_assert (reached != NULL); /* validated rules start with the entry tier */

  if (g_strcmp0 (current, reached->code) != 0 &&
      !till_member_set_tier (store, member_id, reached->code, error))
    goto failed;
  if (own_transaction && !till_store_commit (store, error))
    goto failed;
  return g_strdup (reached->code);

failed:
  if (own_transaction)
    till_store_rollback (store);
  return NULL;
}

/**
 * till_points_tender_new:
 *
 * Returns: (transfer full): the "points" tender on @store's ledger
 */
TillTender *
till_points_tender_new (TillStore *store)
{
  TillPointsTender *self;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);

  self = g_object_new (TILL_TYPE_POINTS_TENDER, NULL);
  self->store = g_object_ref (store);
  return TILL_TENDER (self);
}

void
till_member_summary_free (TillMemberSummary *summary)
{
  if (summary == NULL)
    return;
  g_strfreev (summary->favourite_categories);
  g_free (summary);
}

/**
 * till_loyalty_member_summary:
 *
 * Spend is every sale of the member less what returns refunded of them;
 * favourite categories rank the categories of the products bought by what
 * was paid for them (sale_line.amount), ties by name.
 *
 * Returns: (transfer full): the summary, or %NULL with @error set
 */
TillMemberSummary *
till_loyalty_member_summary (TillStore *store, const char *member_id, GError **error)
{
  g_autoptr (TillMemberSummary) summary = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *tier = NULL;
  int              rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (member_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_member_tier (store, member_id, &tier, error))
    return NULL;
  summary = g_new0 (TillMemberSummary, 1);

  stmt = till_store_prepare (store,
                             "SELECT coalesce(sum(s.total), 0) - coalesce(sum("
                             "   (SELECT sum(r.refund_total) FROM sale_return r"
                             "    WHERE r.sale_uuid = s.uuid)), 0),"
                             " count(*), coalesce(max(s.created_us), 0) "
                             "FROM sale s WHERE s.member_id = ?",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the member's sales"));
      return NULL;
    }
  summary->spend = sqlite3_column_int64 (stmt, 0);
  summary->visits = sqlite3_column_int64 (stmt, 1);
  summary->last_visit_us = sqlite3_column_int64 (stmt, 2);
  g_clear_pointer (&stmt, till_stmt_release);

  if (!read_balance (store, member_id, &summary->points, error))
    return NULL;

  stmt = till_store_prepare (store,
                             "SELECT c.name, sum(l.amount) AS spent "
                             "FROM sale s JOIN sale_line l ON l.sale_uuid = s.uuid "
                             "JOIN product p ON p.id = l.product_id "
                             "JOIN category c ON c.id = p.category_id "
                             "WHERE s.member_id = ? "
                             "GROUP BY c.id HAVING spent > 0 ORDER BY spent DESC, c.name LIMIT 3",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the member's purchases"));
      return NULL;
    }
  g_ptr_array_add (names, NULL);
  summary->favourite_categories = (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
  return g_steal_pointer (&summary);
}

/**
 * till_loyalty_member_sales:
 * @limit: at most this many, > 0
 *
 * Returns: (transfer full): the uuids of @member_id's last sales, newest
 *   first (an empty list when none), or %NULL with @error set
 */
GStrv
till_loyalty_member_sales (TillStore *store, const char *member_id, guint limit, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (member_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store,
                             "SELECT uuid FROM sale WHERE member_id = ? "
                             "ORDER BY created_us DESC, uuid DESC LIMIT ?",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (uuids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the member's sales"));
      return NULL;
    }
  g_ptr_array_add (uuids, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&uuids), FALSE);
}

/**
 * _till_loyalty_update_tier:
 *
 * See the header: till_loyalty_evaluate_tier() that never fails a sale on
 * rules that do not read.
 */
gboolean
_till_loyalty_update_tier (TillStore *store, const char *member_id, gint64 now_us, GError **error)
{
  g_autoptr (GError) own_error = NULL;
  g_autofree char *tier = till_loyalty_evaluate_tier (store, member_id, now_us, &own_error);

  if (tier != NULL)
    return TRUE;
  if (g_error_matches (own_error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_RULES))
    {
      g_message ("Member %s keeps their tier: %s", member_id, own_error->message);
      return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&own_error));
  return FALSE;
}

/**
 * till_loyalty_run_daily:
 * @key: opens the members' birthdays
 *
 * Expires the points due, evaluates every member's tier (each in its own
 * transaction: one member's trouble is not everyone's) and issues the
 * rules' birthday coupon to members in their birthday week who have not had
 * it this week. Erased members keep their tier and get no coupon.
 *
 * Returns: how many members changed tier, or -1 with @error set
 */
gint64
till_loyalty_run_daily (
    TillStore *store, TillJournal *journal, TillMemberKey *key, gint64 now_us, GError **error)
{
  g_autoptr (TillLoyaltyRules) rules = NULL;
  g_autoptr (TillPromotion) birthday = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  gint64 changed = 0;
  int    rc;

  g_return_val_if_fail (TILL_IS_STORE (store), -1);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), -1);
  g_return_val_if_fail (key != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (till_loyalty_expire_points (store, NULL, now_us, error) < 0)
    return -1;
  rules = till_loyalty_rules_load (store, error);
  if (rules == NULL)
    return -1;

  stmt = till_store_prepare (store, "SELECT id FROM member WHERE erased_us IS NULL ORDER BY id",
                             error);
  if (stmt == NULL)
    return -1;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the members"));
      return -1;
    }
  g_clear_pointer (&stmt, till_stmt_release);

  for (guint i = 0; i < ids->len; i++)
    {
      const char      *id = g_ptr_array_index (ids, i);
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;

      if (!read_member_tier (store, id, &before, error))
        return -1;
      after = till_loyalty_evaluate_tier (store, id, now_us, error);
      if (after == NULL)
        return -1;
      if (g_strcmp0 (before, after) != 0)
        changed++;
    }

  if (*rules->birthday_coupon == '\0')
    return changed;
  {
    g_autoptr (GError) missing = NULL;

    /* A rule naming a coupon the till does not hold (yet: HQ's promotions
     * may come later) must not stop the rest of the upkeep. */
    birthday = find_coupon_promotion (store, rules->birthday_coupon, &missing);
    if (birthday == NULL)
      {
        if (!g_error_matches (missing, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_NO_COUPON))
          {
            g_propagate_error (error, g_steal_pointer (&missing));
            return -1;
          }
        g_message ("No birthday coupons: %s", missing->message);
        return changed;
      }
  }
  for (guint i = 0; i < ids->len; i++)
    if (!maybe_issue_birthday_coupon (store, journal, key, g_ptr_array_index (ids, i), birthday,
                                      now_us, error))
      return -1;
  return changed;
}

void
till_member_coupon_free (TillMemberCoupon *coupon)
{
  if (coupon == NULL)
    return;
  g_free (coupon->code);
  g_free (coupon->promotion);
  g_free (coupon->name);
  g_free (coupon->reason);
  g_free (coupon);
}

/**
 * till_loyalty_issue_coupon:
 * @user: who hands it out: TILL_PERMISSION_MANAGE_PROMOTIONS
 * @promotion_code: a coupon promotion (TILL_PROMOTION_COUPON) the till holds
 * @reason: "welcome", "manual", …
 *
 * In one transaction: the member_coupon row under a new code, the journal
 * entry "member-coupon" and a "member" document (action "coupon") for HQ.
 *
 * Returns: (transfer full): the coupon, or %NULL with @error set
 *   (TILL_PROMOTION_ERROR_NO_COUPON: no such coupon promotion;
 *   TILL_MEMBER_ERROR_NOT_FOUND / _ERASED)
 */
TillMemberCoupon *
till_loyalty_issue_coupon (TillStore   *store,
                           TillJournal *journal,
                           TillUser    *user,
                           const char  *member_id,
                           const char  *promotion_code,
                           const char  *reason,
                           GError     **error)
{
  g_autoptr (TillPromotion) promotion = NULL;
  g_autoptr (TillMemberCoupon) coupon = NULL;
  gint64 now_us = g_get_real_time ();

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (TILL_IS_USER (user), NULL);
  g_return_val_if_fail (member_id != NULL, NULL);
  g_return_val_if_fail (promotion_code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  promotion = find_coupon_promotion (store, promotion_code, error);
  if (promotion == NULL)
    return NULL;
  if (!till_store_begin (store, error))
    return NULL;
  if (!till_permission_check (store, journal, user, TILL_PERMISSION_MANAGE_PROMOTIONS, 0, NULL,
                              error) ||
      !check_member_active (store, member_id, error))
    goto failed;
  coupon =
      issue_in_transaction (store, journal, user, member_id, promotion,
                            reason != NULL && *reason != '\0' ? reason : "manual", now_us, error);
  if (coupon == NULL || !till_store_commit (store, error))
    goto failed;
  return g_steal_pointer (&coupon);

failed:
  till_store_rollback (store);
  return NULL;
}

/**
 * till_loyalty_member_coupons:
 *
 * Returns: (transfer full) (element-type TillMemberCoupon): @member_id's
 *   coupons not used yet, newest first (name "" when the till no longer
 *   holds the promotion), or %NULL with @error set
 */
GPtrArray *
till_loyalty_member_coupons (TillStore *store, const char *member_id, GError **error)
{
  g_autoptr (GPtrArray) coupons = NULL;
  g_autoptr (GPtrArray) promotions = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *store_id = NULL;
  g_autofree char *group_id = NULL;
  int              rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (member_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!till_promotion_read_scope (store, &store_id, &group_id, error))
    return NULL;
  promotions = till_promotion_load_all (store, store_id, group_id, error);
  if (promotions == NULL)
    return NULL;

  coupons = g_ptr_array_new_with_free_func ((GDestroyNotify) till_member_coupon_free);
  stmt = till_store_prepare (store,
                             "SELECT code, promotion, reason, issued_us FROM member_coupon "
                             "WHERE member_id = ? AND sale_uuid IS NULL AND used_us IS NULL "
                             "ORDER BY issued_us DESC, code DESC",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillMemberCoupon *coupon = g_new0 (TillMemberCoupon, 1);

      coupon->code = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      coupon->promotion = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      coupon->reason = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      coupon->issued_us = sqlite3_column_int64 (stmt, 3);
      for (guint i = 0; i < promotions->len && coupon->name == NULL; i++)
        {
          const TillPromotion *promotion = g_ptr_array_index (promotions, i);

          if (g_strcmp0 (promotion->code, coupon->promotion) == 0)
            coupon->name = g_strdup (promotion->name);
        }
      if (coupon->name == NULL)
        coupon->name = g_strdup ("");
      g_ptr_array_add (coupons, coupon);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the member coupons"));
      return NULL;
    }
  return g_steal_pointer (&coupons);
}

/**
 * _till_loyalty_find_member_coupon:
 * @typed: a code as typed or scanned
 * @out_code: (out) (optional): the code as member_coupon holds it
 * @out_member_id: (out) (optional): its owner
 *
 * Returns: %TRUE when @typed is a member coupon (used or not); %FALSE with
 *   @error unset when it is not, or set on a storage error
 */
gboolean
_till_loyalty_find_member_coupon (
    TillStore *store, const char *typed, char **out_code, char **out_member_id, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *trimmed = NULL;
  int              rc;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  normalized = normalize_code (typed);
  if (normalized == NULL || *normalized == '\0')
    return FALSE;
  trimmed = g_strstrip (g_strdup (typed));
  /* The exact code takes the primary key; anything else (lower case, a
   * Chinese input method's full-width letters) a scan of the table. */
  stmt = till_store_prepare (store,
                             "SELECT code, member_id FROM member_coupon "
                             "WHERE code = ?1 OR lower(code) = ?2 ORDER BY code = ?1 DESC LIMIT 1",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, trimmed, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, normalized, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return FALSE;
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the member coupons"));
      return FALSE;
    }
  if (out_code != NULL)
    *out_code = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (out_member_id != NULL)
    *out_member_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  return TRUE;
}

/**
 * _till_loyalty_coupon_owner:
 *
 * Returns: (transfer full) (nullable): the member whose coupon @code is, or
 *   %NULL (with @error set only when the store cannot be read)
 */
char *
_till_loyalty_coupon_owner (TillStore *store, const char *code, GError **error)
{
  char *member_id = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_till_loyalty_find_member_coupon (store, code, NULL, &member_id, error))
    return NULL;
  return member_id;
}

/**
 * _till_loyalty_use_member_coupon:
 * @store: inside the sale's transaction
 *
 * Marks the member coupon @code used by @sale_uuid, once.
 *
 * Returns: %TRUE; %FALSE with TILL_PROMOTION_ERROR_COUPON ("used on …")
 *   when it was used already, TILL_PROMOTION_ERROR_NO_COUPON when it is no
 *   member coupon, or a store error
 */
gboolean
_till_loyalty_use_member_coupon (
    TillStore *store, const char *code, const char *sale_uuid, gint64 now_us, GError **error)
{
  g_autoptr (TillStmt) update = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

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
  update = till_store_prepare (store,
                               "UPDATE member_coupon SET sale_uuid = ?, used_us = ? "
                               "WHERE code = ? AND sale_uuid IS NULL AND used_us IS NULL",
                               error);
  if (update == NULL)
    return FALSE;
  sqlite3_bind_text (update, 1, sale_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (update, 2, now_us);
  sqlite3_bind_text (update, 3, code, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, update, error))
    return FALSE;
  if (sqlite3_changes (till_store_get_db (store)) == 1)
    return TRUE;

  stmt = till_store_prepare (store, "SELECT coalesce(used_us, 0) FROM member_coupon WHERE code = ?",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_autofree char *used = format_local_time (sqlite3_column_int64 (stmt, 0));

      g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON,
                   _ ("This coupon was used on %s"), used);
      return FALSE;
    }
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_NO_COUPON,
                   _ ("There is no coupon with the code %s"), code);
      return FALSE;
    }
  till_store_set_error (store, error, _ ("Cannot read the member coupons"));
  return FALSE;
}

/**
 * till_loyalty_redeem_for_gift:
 * @points: > 0
 *
 * In one transaction (see till-loyalty.h): the "redeem" entry, the stock
 * movement of one @product_id out (reason "points-gift"), the journal entry
 * "points-gift" and a "member" document (action "points-gift") for HQ, all
 * under one op uuid (the ledger entry's, the stock movement's ref and the
 * document's uuid).
 *
 * Returns: %TRUE, or %FALSE with @error set (TILL_LOYALTY_ERROR_POINTS
 *   when the balance is short; TILL_MEMBER_ERROR_NOT_FOUND / _ERASED;
 *   TILL_LOYALTY_ERROR_FAILED for a product the till does not know)
 */
gboolean
till_loyalty_redeem_for_gift (TillStore   *store,
                              TillJournal *journal,
                              TillUser    *user,
                              const char  *member_id,
                              gint64       product_id,
                              gint64       points,
                              GError     **error)
{
  g_autoptr (TillStmt) product = NULL;
  g_autoptr (TillStmt) ledger = NULL;
  g_autoptr (TillStmt) move = NULL;
  g_autoptr (GString) fields = g_string_new ("");
  g_autofree char *op_uuid = till_uuid_v7_new ();
  gint64           now_us = g_get_real_time ();
  gint64           balance = 0;
  int              rc;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (TILL_IS_USER (user), FALSE);
  g_return_val_if_fail (member_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (points <= 0)
    {
      g_set_error (error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_POINTS,
                   _ ("A gift costs some points, not %" PRId64), points);
      return FALSE;
    }
  if (!till_store_begin (store, error))
    return FALSE;
  if (!check_member_active (store, member_id, error))
    goto failed;

  product = till_store_prepare (store, "SELECT 1 FROM product WHERE id = ?", error);
  if (product == NULL)
    goto failed;
  sqlite3_bind_int64 (product, 1, product_id);
  rc = sqlite3_step (product);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_FAILED,
                   _ ("There is no product %" PRId64 " to give"), product_id);
      goto failed;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the product"));
      goto failed;
    }

  /* Checked inside the transaction: a sale on this till cannot spend the
   * same points between the check and the entry. */
  if (!read_balance (store, member_id, &balance, error))
    goto failed;
  if (balance < points)
    {
      g_set_error (
          error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_POINTS,
          _ ("The member has %" PRId64 " points, fewer than the %" PRId64 " this gift costs"),
          balance, points);
      goto failed;
    }

  ledger = till_store_prepare (store,
                               "INSERT INTO member_points (op_uuid, member_id, kind, points, "
                               "created_us) VALUES (?, ?, 'redeem', ?, ?)",
                               error);
  if (ledger == NULL)
    goto failed;
  sqlite3_bind_text (ledger, 1, op_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (ledger, 2, member_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (ledger, 3, -points);
  sqlite3_bind_int64 (ledger, 4, now_us);
  if (!till_store_step_done (store, ledger, error))
    goto failed;

  move = till_store_prepare (store,
                             "INSERT INTO stock_move (product_id, delta, reason, ref_uuid, "
                             "created_us) VALUES (?, ?, 'points-gift', ?, ?)",
                             error);
  if (move == NULL)
    goto failed;
  sqlite3_bind_int64 (move, 1, product_id);
  sqlite3_bind_int64 (move, 2, -TILL_QUANTITY_ONE);
  sqlite3_bind_text (move, 3, op_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (move, 4, now_us);
  if (!till_store_step_done (store, move, error))
    goto failed;

  _till_json_add_int (fields, "product_id", product_id);
  _till_json_add_int (fields, "points", points);
  _till_json_add_int (fields, "balance", balance - points);
  if (!record_member_op (store, journal, user, "points-gift", "points-gift", op_uuid, member_id,
                         fields->str, now_us, error) ||
      !till_store_commit (store, error))
    goto failed;
  return TRUE;

failed:
  till_store_rollback (store);
  return FALSE;
}
