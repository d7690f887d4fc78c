/* test-loyalty.c: tests for src/core/till-loyalty.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

/* Says which error came instead, when another did. */
#define ck_assert_error(error, domain, code)                                                \
  ck_assert_msg (g_error_matches ((error), (domain), (code)), "expected error %d, got: %s", \
                 (int) (code), (error) != NULL ? (error)->message : "no error")

#define DAY_US (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)
/* 2026-11-23 00:00 UTC, a Monday. */
#define NOW_US (G_GINT64_CONSTANT (1795392000) * G_USEC_PER_SEC)

static char        *scratch;
static char        *db_path;
static char        *key_path;
static TillStore   *store;
static TillJournal *journal;
static gint64       receipt_no;

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
  receipt_no = 0;
}

static void
teardown (void)
{
  g_clear_object (&journal);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&key_path, g_free);
}

static void
exec_sql (const char *sql)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_store_exec (store, sql, &error), "%s", error ? error->message : "");
}

static void
set_rules (const char *json)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_store_set_setting (store, "members.rules", json, &error), "%s",
                 error ? error->message : "");
}

static void
insert_member (const char *id, const char *tier)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "INSERT INTO member (id, phone_masked, tier, "
                                        "registered_us, updated_us) VALUES (?, '138****1234', ?, "
                                        "?, ?)",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, tier, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, NOW_US - 400 * DAY_US);
  sqlite3_bind_int64 (stmt, 4, NOW_US - 400 * DAY_US);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
}

static char *
member_tier_in_db (const char *id)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT tier FROM member WHERE id = ?", -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* A signed journal entry for a history row (sale and sale_return name one). */
static gint64
journal_entry (const char *kind, const char *uuid, gint64 created_us)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = g_bytes_new_static ("{}", 2);
  guint8 hash[TILL_JOURNAL_HASH_LEN];
  gint64 seq = 0;

  ck_assert_msg (till_journal_append (journal, kind, uuid, created_us, body, &seq, hash, &error),
                 "%s", error ? error->message : "");
  return seq;
}

/* A recorded sale of @member_id for @total fen at @created_us; returns its
 * uuid. */
static char *
insert_sale (const char *member_id, gint64 total, gint64 created_us)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  char  *uuid = till_uuid_v7_new ();
  gint64 seq;

  ck_assert (till_store_begin (store, &error));
  seq = journal_entry ("sale", uuid, created_us);
  ck_assert_int_eq (
      sqlite3_prepare_v2 (till_store_get_db (store),
                          "INSERT INTO sale (uuid, receipt_no, till_id, business_day, created_us, "
                          "cashier_code, cashier_name, subtotal, rounding, total, item_count, "
                          "journal_seq, member_id) VALUES (?1, ?2, 'T1', '2026-11-23', ?3, "
                          "'1001', '王小丽', ?4, 0, ?4, 1, ?5, ?6)",
                          -1, &stmt, NULL),
      SQLITE_OK);
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, ++receipt_no);
  sqlite3_bind_int64 (stmt, 3, created_us);
  sqlite3_bind_int64 (stmt, 4, total);
  sqlite3_bind_int64 (stmt, 5, seq);
  sqlite3_bind_text (stmt, 6, member_id, -1, SQLITE_STATIC);
  ck_assert_msg (sqlite3_step (stmt) == SQLITE_DONE, "%s",
                 sqlite3_errmsg (till_store_get_db (store)));
  ck_assert (till_store_commit (store, &error));
  return uuid;
}

static void
insert_return (const char *sale_uuid, gint64 refund_total, gint64 created_us)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *uuid = till_uuid_v7_new ();
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gint64 seq;

  ck_assert (till_store_begin (store, &error));
  seq = journal_entry ("return", uuid, created_us);
  ck_assert_int_eq (
      sqlite3_prepare_v2 (till_store_get_db (store),
                          "INSERT INTO sale_return (uuid, return_no, till_id, business_day, "
                          "created_us, sale_uuid, cashier_code, cashier_name, reason, subtotal, "
                          "refund_total, journal_seq) VALUES (?1, ?2, 'T1', '2026-11-23', ?3, ?4, "
                          "'1001', '王小丽', 'changed-mind', ?5, ?5, ?2)",
                          -1, &stmt, NULL),
      SQLITE_OK);
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, seq);
  sqlite3_bind_int64 (stmt, 3, created_us);
  sqlite3_bind_text (stmt, 4, sale_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, refund_total);
  ck_assert_msg (sqlite3_step (stmt) == SQLITE_DONE, "%s",
                 sqlite3_errmsg (till_store_get_db (store)));
  ck_assert (till_store_commit (store, &error));
}

static void
add_points (
    const char *member_id, const char *kind, gint64 points, gint64 expires_us, gint64 created_us)
{
  g_autoptr (GError) error = NULL;

  ck_assert (till_store_begin (store, &error));
  ck_assert_msg (_till_loyalty_add_points (store, member_id, kind, points, expires_us, NULL, NULL,
                                           created_us, &error),
                 "%s", error ? error->message : "");
  ck_assert (till_store_commit (store, &error));
}

static gint64
balance_of (const char *member_id)
{
  g_autoptr (GError) error = NULL;
  gint64 balance = till_loyalty_points_balance (store, member_id, &error);

  ck_assert_msg (error == NULL, "%s", error ? error->message : "");
  return balance;
}

static TillLoyaltyRules *
load_rules (void)
{
  g_autoptr (GError) error = NULL;
  TillLoyaltyRules *rules = till_loyalty_rules_load (store, &error);

  ck_assert_msg (rules != NULL, "%s", error ? error->message : "");
  return rules;
}

static TillMember *
member_new (const char *id, const char *tier, guint birth_month, guint birth_day)
{
  TillMember *member = g_new0 (TillMember, 1);

  member->id = g_strdup (id);
  member->phone_masked = g_strdup ("138****1234");
  member->name_masked = g_strdup ("王*丽");
  member->tier = g_strdup (tier);
  member->store_id = g_strdup ("S001");
  member->birth_month = birth_month;
  member->birth_day = birth_day;
  return member;
}

static GDateTime *
local_at (int year, int month, int day, int hour)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");

  ck_assert_ptr_nonnull (zone);
  return g_date_time_new (zone, year, month, day, hour, 0, 0);
}

/* /core/loyalty/rules */

START_TEST (test_rules_defaults)
{
  g_autoptr (TillLoyaltyRules) rules = load_rules ();
  const TillLoyaltyTier *gold;

  ck_assert_uint_eq (rules->tiers->len, 3);
  ck_assert_str_eq (g_array_index (rules->tiers, TillLoyaltyTier, 0).code, "normal");
  ck_assert_str_eq (g_array_index (rules->tiers, TillLoyaltyTier, 0).name, "普通会员");
  ck_assert_int_eq (g_array_index (rules->tiers, TillLoyaltyTier, 0).min_spend, 0);
  ck_assert_int_eq (g_array_index (rules->tiers, TillLoyaltyTier, 1).min_spend, 100000);
  ck_assert_int_eq (g_array_index (rules->tiers, TillLoyaltyTier, 1).discount_bp, 200);
  gold = till_loyalty_rules_find_tier (rules, "gold");
  ck_assert_ptr_nonnull (gold);
  ck_assert_str_eq (gold->name, "金卡会员");
  ck_assert_int_eq (gold->min_spend, 500000);
  ck_assert_int_eq (gold->discount_bp, 500);
  ck_assert_int_eq (gold->points_per_yuan, 2);
  ck_assert_ptr_null (till_loyalty_rules_find_tier (rules, "platinum"));
  ck_assert_int_eq (rules->tier_period_days, 365);
  ck_assert_int_eq (rules->points_expire_months, 12);
  ck_assert_int_eq (rules->points_per_yuan_redeemed, 100);
  ck_assert_int_eq (rules->points_max_share_bp, 5000);
  ck_assert_int_eq (rules->birthday_discount_bp, 1000);
  ck_assert_int_eq (rules->birthday_points_multiplier, 2);
  ck_assert_uint_eq (g_strv_length (rules->points_excluded_skus), 0);
  ck_assert_uint_eq (g_strv_length (rules->points_excluded_categories), 0);
  ck_assert (g_strv_contains ((const char *const *) rules->points_excluded_tenders, "points"));
  ck_assert (
      g_strv_contains ((const char *const *) rules->points_excluded_tenders, "stored-value"));
  ck_assert (g_strv_contains ((const char *const *) rules->points_excluded_tenders, "voucher"));
}
END_TEST

START_TEST (test_rules_custom)
{
  g_autoptr (TillLoyaltyRules) rules = NULL;
  const TillLoyaltyTier *vip;

  set_rules ("{\"tiers\": [{\"code\": \"basic\", \"name\": \"会员\", \"points_per_yuan\": 3},"
             "            {\"code\": \"vip\", \"name\": \"VIP\", \"min_spend\": 20000,"
             "             \"min_visits\": 5, \"discount_bp\": 800, \"points_per_yuan\": 4,"
             "             \"colour\": \"gold\"}],"
             " \"tier_period_days\": 90, \"points_excluded_skus\": [\"6901\", \"6902\"],"
             " \"points_excluded_categories\": [\"09\"], \"points_expire_months\": 0,"
             " \"points_per_yuan_redeemed\": 50, \"points_max_share_bp\": 3000,"
             " \"birthday_discount_bp\": null, \"future_rule\": {\"x\": 1}}");
  rules = load_rules ();
  ck_assert_uint_eq (rules->tiers->len, 2);
  ck_assert_str_eq (g_array_index (rules->tiers, TillLoyaltyTier, 0).code, "basic");
  ck_assert_int_eq (g_array_index (rules->tiers, TillLoyaltyTier, 0).points_per_yuan, 3);
  ck_assert_int_eq (g_array_index (rules->tiers, TillLoyaltyTier, 0).discount_bp, 0);
  vip = till_loyalty_rules_find_tier (rules, "vip");
  ck_assert_ptr_nonnull (vip);
  ck_assert_str_eq (vip->name, "VIP");
  ck_assert_int_eq (vip->min_spend, 20000);
  ck_assert_int_eq (vip->min_visits, 5);
  ck_assert_int_eq (vip->discount_bp, 800);
  ck_assert_int_eq (vip->points_per_yuan, 4);
  ck_assert_ptr_null (till_loyalty_rules_find_tier (rules, "gold"));
  ck_assert_int_eq (rules->tier_period_days, 90);
  ck_assert_uint_eq (g_strv_length (rules->points_excluded_skus), 2);
  ck_assert_str_eq (rules->points_excluded_skus[1], "6902");
  ck_assert_str_eq (rules->points_excluded_categories[0], "09");
  /* not given: the default */
  ck_assert (g_strv_contains ((const char *const *) rules->points_excluded_tenders, "points"));
  ck_assert_int_eq (rules->points_expire_months, 0);
  ck_assert_int_eq (rules->points_per_yuan_redeemed, 50);
  ck_assert_int_eq (rules->points_max_share_bp, 3000);
  /* null keeps the default */
  ck_assert_int_eq (rules->birthday_discount_bp, 1000);
  ck_assert_int_eq (rules->birthday_points_multiplier, 2);
}
END_TEST

static const struct
{
  const char *json;
  const char *reason; /* a part of the message that says what is wrong */
} bad_rules[] = {
  { "{\"tiers\": [", "not valid JSON" },
  { "[1, 2]", "not a JSON object" },
  { "{\"tier_period_days\": \"365\"}", "tier_period_days" },
  { "{\"tier_period_days\": 0}", "tier_period_days" },
  { "{\"points_max_share_bp\": 12000}", "points_max_share_bp" },
  { "{\"points_per_yuan_redeemed\": 0}", "points_per_yuan_redeemed" },
  { "{\"points_excluded_skus\": [1, 2]}", "points_excluded_skus" },
  { "{\"points_excluded_tenders\": \"cash\"}", "points_excluded_tenders" },
  { "{\"tiers\": []}", "no tiers" },
  { "{\"tiers\": [1]}", "list of objects" },
  { "{\"tiers\": [{\"code\": \"a\", \"name\": \"A\", \"points_per_yuan\": -1}]}",
    "points_per_yuan" },
  { "{\"tiers\": [{\"code\": \"a\", \"name\": \"A\", \"discount_bp\": 10001}]}", "discount_bp" },
  { "{\"tiers\": [{\"name\": \"A\"}]}", "no code" },
  { "{\"tiers\": [{\"code\": \"a\"}]}", "no name" },
  { "{\"tiers\": [{\"code\": \"a\", \"name\": \"A\", \"min_spend\": 100}]}", "entry tier" },
  { "{\"tiers\": [{\"code\": \"a\", \"name\": \"A\"}, {\"code\": \"a\", \"name\": \"B\","
    " \"min_spend\": 1}]}",
    "“a”" },
  { "{\"tiers\": [{\"code\": \"a\", \"name\": \"A\"}, {\"code\": \"b\", \"name\": \"B\"}]}",
    "“b”" },
  { "{\"tiers\": [{\"code\": \"a\", \"name\": \"A\"},"
    " {\"code\": \"b\", \"name\": \"B\", \"min_spend\": 5000},"
    " {\"code\": \"c\", \"name\": \"C\", \"min_spend\": 5000}]}",
    "ascend" },
  { "{\"tiers\": [{\"code\": \"a\", \"name\": \"A\"},"
    " {\"code\": \"b\", \"name\": \"B\", \"min_visits\": 10},"
    " {\"code\": \"c\", \"name\": \"C\", \"min_visits\": 4}]}",
    "ascend" },
  { "{\"tiers\": [{\"code\": \"a\", \"name\": \"A\", \"min_spend\": \"0\"}]}", "min_spend" },
};

START_TEST (test_rules_refused)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillLoyaltyRules) rules = NULL;

  set_rules (bad_rules[_i].json);
  rules = till_loyalty_rules_load (store, &error);
  ck_assert_ptr_null (rules);
  ck_assert_error (error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_RULES);
  ck_assert_msg (strstr (error->message, bad_rules[_i].reason) != NULL,
                 "rule %d: “%s” does not say “%s”", _i, error->message, bad_rules[_i].reason);
}
END_TEST

/* /core/loyalty/tier */

static char *
evaluate (const char *member_id, gint64 now_us)
{
  g_autoptr (GError) error = NULL;
  char *tier = till_loyalty_evaluate_tier (store, member_id, now_us, &error);

  ck_assert_msg (tier != NULL, "%s", error ? error->message : "");
  return tier;
}

#define ck_assert_tier(member_id, now_us, expected)                 \
  G_STMT_START                                                      \
  {                                                                 \
    g_autofree char *evaluated_ = evaluate ((member_id), (now_us)); \
    g_autofree char *stored_ = member_tier_in_db (member_id);       \
    ck_assert_str_eq (evaluated_, (expected));                      \
    ck_assert_str_eq (stored_, (expected));                         \
  }                                                                 \
  G_STMT_END

START_TEST (test_tier_by_spend)
{
  g_autofree char *big = NULL;
  g_autofree char *bigger = NULL;

  set_rules ("{\"tier_period_days\": 30}");
  insert_member ("m1", "");
  insert_member ("m2", "");
  ck_assert_tier ("m1", NOW_US, "normal");

  big = insert_sale ("m1", 120000, NOW_US - 10 * DAY_US);
  /* another member's sale counts for them only */
  g_free (insert_sale ("m2", 900000, NOW_US - 10 * DAY_US));
  ck_assert_tier ("m1", NOW_US, "silver");

  /* a return takes its refund off the spend: 90,000 < 100,000 */
  insert_return (big, 30000, NOW_US - 5 * DAY_US);
  ck_assert_tier ("m1", NOW_US, "normal");

  bigger = insert_sale ("m1", 450000, NOW_US - 2 * DAY_US);
  ck_assert_tier ("m1", NOW_US, "gold");
  ck_assert_tier ("m2", NOW_US, "gold");

  /* 19 days on, the first sale is 29 days old: still in */
  ck_assert_tier ("m1", NOW_US + 19 * DAY_US, "gold");
  /* 21 days on, it (and its return) left the period: 450,000 */
  ck_assert_tier ("m1", NOW_US + 21 * DAY_US, "silver");
  /* and then the second: nothing */
  ck_assert_tier ("m1", NOW_US + 40 * DAY_US, "normal");
  /* sales and returns after @now_us are not counted yet: before the
   * return, 120,000; after it but before the second sale, 90,000 */
  ck_assert_tier ("m1", NOW_US - 6 * DAY_US, "silver");
  ck_assert_tier ("m1", NOW_US - 3 * DAY_US, "normal");
}
END_TEST

START_TEST (test_tier_by_visits)
{
  set_rules ("{\"tiers\": [{\"code\": \"n\", \"name\": \"普通\"},"
             " {\"code\": \"s\", \"name\": \"银\", \"min_visits\": 3},"
             " {\"code\": \"g\", \"name\": \"金\", \"min_spend\": 100000, \"min_visits\": 6}],"
             " \"tier_period_days\": 30}");
  insert_member ("m1", "n");
  for (int i = 0; i < 2; i++)
    g_free (insert_sale ("m1", 500, NOW_US - (20 - i) * DAY_US));
  ck_assert_tier ("m1", NOW_US, "n");
  g_free (insert_sale ("m1", 500, NOW_US - DAY_US));
  ck_assert_tier ("m1", NOW_US, "s");
  /* spend reaches gold with few visits */
  g_free (insert_sale ("m1", 100000, NOW_US - DAY_US));
  ck_assert_tier ("m1", NOW_US, "g");
  /* out of the period the two oldest leave: 2 visits, 100,500 fen */
  ck_assert_tier ("m1", NOW_US + 12 * DAY_US, "g");
  ck_assert_tier ("m1", NOW_US + 30 * DAY_US, "n");
}
END_TEST

static gint64
member_updated_us (const char *id)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT updated_us FROM member WHERE id = ?", -1, &stmt,
                                        NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* The tier is written (till_member_set_tier stamps updated_us) only when it
 * changed. */
START_TEST (test_tier_written_when_changed)
{
  insert_member ("m1", "normal");
  exec_sql ("UPDATE member SET updated_us = 1 WHERE id = 'm1'");
  ck_assert_tier ("m1", NOW_US, "normal");
  ck_assert_int_eq (member_updated_us ("m1"), 1);
  g_free (insert_sale ("m1", 100000, NOW_US - DAY_US));
  ck_assert_tier ("m1", NOW_US, "silver");
  ck_assert_int_ne (member_updated_us ("m1"), 1);
}
END_TEST

START_TEST (test_tier_unknown_member)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tier = till_loyalty_evaluate_tier (store, "nobody", NOW_US, &error);

  ck_assert_ptr_null (tier);
  ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND);
  ck_assert (!till_store_in_transaction (store));
}
END_TEST

START_TEST (test_tier_bad_rules)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tier = NULL;

  insert_member ("m1", "");
  set_rules ("{\"tiers\": 5}");
  tier = till_loyalty_evaluate_tier (store, "m1", NOW_US, &error);
  ck_assert_ptr_null (tier);
  ck_assert_error (error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_RULES);
  g_clear_error (&error);

  /* What the sale and return commits call: bad rules leave the tier as it
   * is and never fail the sale. */
  ck_assert (_till_loyalty_update_tier (store, "m1", NOW_US, &error));
  ck_assert_ptr_null (error);
}
END_TEST

/* /core/loyalty/points */

START_TEST (test_points_earn_rounding)
{
  g_autoptr (TillLoyaltyRules) rules = load_rules ();
  g_autoptr (TillMember) normal = member_new ("m1", "normal", 0, 0);
  g_autoptr (TillMember) gold = member_new ("m2", "gold", 0, 0);
  g_autoptr (TillMember) fresh = member_new ("m3", "", 0, 0);
  g_autoptr (GDateTime) local = local_at (2026, 11, 23, 12);

  ck_assert_int_eq (till_loyalty_points_for (rules, normal, 1999, local), 19);
  ck_assert_int_eq (till_loyalty_points_for (rules, normal, 2000, local), 20);
  ck_assert_int_eq (till_loyalty_points_for (rules, normal, 99, local), 0);
  ck_assert_int_eq (till_loyalty_points_for (rules, normal, 0, local), 0);
  ck_assert_int_eq (till_loyalty_points_for (rules, normal, -500, local), 0);
  /* 19.99 yuan × 2 = 39.98: floor of the whole product, not of the yuan */
  ck_assert_int_eq (till_loyalty_points_for (rules, gold, 1999, local), 39);
  /* not evaluated yet: the entry tier's rate */
  ck_assert_int_eq (till_loyalty_points_for (rules, fresh, 1999, local), 19);
  ck_assert_int_eq (till_loyalty_points_for (rules, NULL, 1999, local), 19);
}
END_TEST

START_TEST (test_points_birthday_multiplier)
{
  g_autoptr (TillLoyaltyRules) rules = load_rules ();
  /* 2026-11-25 is a Wednesday: the week is 23–29 November */
  g_autoptr (TillMember) member = member_new ("m1", "gold", 11, 25);
  g_autoptr (GDateTime) monday = local_at (2026, 11, 23, 0);
  g_autoptr (GDateTime) sunday = local_at (2026, 11, 29, 23);
  g_autoptr (GDateTime) before = local_at (2026, 11, 22, 23);
  g_autoptr (GDateTime) after = local_at (2026, 11, 30, 0);

  ck_assert_int_eq (till_loyalty_points_for (rules, member, 1999, monday), 79);
  ck_assert_int_eq (till_loyalty_points_for (rules, member, 1999, sunday), 79);
  ck_assert_int_eq (till_loyalty_points_for (rules, member, 1999, before), 39);
  ck_assert_int_eq (till_loyalty_points_for (rules, member, 1999, after), 39);
  ck_assert_int_eq (till_loyalty_points_for (rules, member, 1999, NULL), 39);
}
END_TEST

START_TEST (test_birthday_week_edges)
{
  /* 29 February in 2027 is the 28th, a Sunday: the week is 22–28 Feb */
  g_autoptr (TillMember) leap = member_new ("m1", "", 2, 29);
  /* 2026-12-31 is a Thursday: its week runs into 2027 */
  g_autoptr (TillMember) new_year = member_new ("m2", "", 12, 31);
  g_autoptr (TillMember) unknown = member_new ("m3", "", 0, 0);
  g_autoptr (GDateTime) feb22 = local_at (2027, 2, 22, 9);
  g_autoptr (GDateTime) feb21 = local_at (2027, 2, 21, 9);
  g_autoptr (GDateTime) mar1 = local_at (2027, 3, 1, 9);
  g_autoptr (GDateTime) leap_mar5 = local_at (2028, 3, 5, 9);
  g_autoptr (GDateTime) leap_feb27 = local_at (2028, 2, 27, 9);
  g_autoptr (GDateTime) jan3 = local_at (2027, 1, 3, 9);
  g_autoptr (GDateTime) jan4 = local_at (2027, 1, 4, 9);
  g_autoptr (GDateTime) dec28 = local_at (2026, 12, 28, 9);

  ck_assert (till_loyalty_in_birthday_week (leap, feb22));
  ck_assert (!till_loyalty_in_birthday_week (leap, feb21));
  ck_assert (!till_loyalty_in_birthday_week (leap, mar1));
  /* 2028-02-29 is a Tuesday: 28 Feb – 5 Mar */
  ck_assert (till_loyalty_in_birthday_week (leap, leap_mar5));
  ck_assert (!till_loyalty_in_birthday_week (leap, leap_feb27));
  ck_assert (till_loyalty_in_birthday_week (new_year, jan3));
  ck_assert (till_loyalty_in_birthday_week (new_year, dec28));
  ck_assert (!till_loyalty_in_birthday_week (new_year, jan4));
  ck_assert (!till_loyalty_in_birthday_week (unknown, dec28));
}
END_TEST

START_TEST (test_points_expires_us)
{
  g_autoptr (TillLoyaltyRules) rules = load_rules ();
  g_autoptr (GDateTime) earned = local_at (2026, 1, 15, 14);
  g_autoptr (GDateTime) december = local_at (2026, 12, 31, 23);
  g_autoptr (GDateTime) expected = local_at (2027, 2, 1, 0);
  g_autoptr (GDateTime) expected_december = local_at (2028, 1, 1, 0);

  ck_assert_int_eq (till_loyalty_points_expires_us (rules, earned),
                    g_date_time_to_unix (expected) * G_USEC_PER_SEC);
  ck_assert_int_eq (till_loyalty_points_expires_us (rules, december),
                    g_date_time_to_unix (expected_december) * G_USEC_PER_SEC);
  rules->points_expire_months = 0;
  ck_assert_int_eq (till_loyalty_points_expires_us (rules, earned), 0);
}
END_TEST

START_TEST (test_points_ledger)
{
  g_autoptr (GError) error = NULL;
  static const struct
  {
    const char *kind;
    gint64      points;
  } refused[] = {
    { "earn", 0 },   { "earn", -5 },  { "redeem", 5 }, { "expire", 5 },
    { "refund", 0 }, { "adjust", 0 }, { "bonus", 10 },
  };

  insert_member ("m1", "");
  insert_member ("m2", "");
  ck_assert_int_eq (balance_of ("m1"), 0);
  add_points ("m1", "earn", 120, NOW_US + 30 * DAY_US, NOW_US);
  add_points ("m1", "redeem", -20, 0, NOW_US);
  add_points ("m1", "refund", 5, 0, NOW_US);
  add_points ("m1", "adjust", -3, 0, NOW_US);
  add_points ("m2", "earn", 7, 0, NOW_US);
  ck_assert_int_eq (balance_of ("m1"), 102);
  ck_assert_int_eq (balance_of ("m2"), 7);

  ck_assert (till_store_begin (store, &error));
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      ck_assert (!_till_loyalty_add_points (store, "m1", refused[i].kind, refused[i].points, 0,
                                            NULL, NULL, NOW_US, &error));
      ck_assert_error (error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_FAILED);
      g_clear_error (&error);
    }
  till_store_rollback (store);
  ck_assert_int_eq (balance_of ("m1"), 102);
}
END_TEST

START_TEST (test_points_redeem)
{
  g_autoptr (GError) error = NULL;

  insert_member ("m1", "");
  add_points ("m1", "earn", 100, 0, NOW_US);

  ck_assert (till_store_begin (store, &error));
  ck_assert (!_till_loyalty_redeem (store, "m1", 101, "sale-1", NOW_US, &error));
  ck_assert_error (error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_POINTS);
  ck_assert_msg (strstr (error->message, "100") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert (!_till_loyalty_redeem (store, "m1", 0, "sale-1", NOW_US, &error));
  ck_assert_error (error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_POINTS);
  g_clear_error (&error);
  ck_assert (_till_loyalty_redeem (store, "m1", 60, "sale-1", NOW_US, &error));
  /* the balance is checked again: 40 left */
  ck_assert (!_till_loyalty_redeem (store, "m1", 41, "sale-2", NOW_US, &error));
  ck_assert_error (error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_POINTS);
  g_clear_error (&error);
  ck_assert (till_store_commit (store, &error));
  ck_assert_int_eq (balance_of ("m1"), 40);
}
END_TEST

static gint64
expire (const char *member_id, gint64 now_us)
{
  g_autoptr (GError) error = NULL;
  gint64 expired = till_loyalty_expire_points (store, member_id, now_us, &error);

  ck_assert_msg (expired >= 0, "%s", error ? error->message : "");
  return expired;
}

START_TEST (test_expire_fifo_redeemed_first)
{
  g_autoptr (GDateTime) jan = local_at (2026, 1, 10, 10);
  g_autoptr (GDateTime) dec = local_at (2026, 12, 1, 0);
  g_autoptr (GDateTime) mar = local_at (2026, 3, 10, 10);
  g_autoptr (GDateTime) later = local_at (2027, 3, 1, 0);
  gint64 jan_us = g_date_time_to_unix (jan) * G_USEC_PER_SEC;
  gint64 dec_us = g_date_time_to_unix (dec) * G_USEC_PER_SEC;
  gint64 mar_us = g_date_time_to_unix (mar) * G_USEC_PER_SEC;
  gint64 later_us = g_date_time_to_unix (later) * G_USEC_PER_SEC;

  insert_member ("m1", "");
  add_points ("m1", "earn", 100, dec_us, jan_us);
  add_points ("m1", "earn", 50, later_us, mar_us);
  add_points ("m1", "redeem", -120, 0, mar_us + DAY_US);

  /* before and at the first expiry: the 120 redeemed used the 100 first */
  ck_assert_int_eq (expire ("m1", dec_us - 1), 0);
  ck_assert_int_eq (expire ("m1", dec_us), 0);
  ck_assert_int_eq (balance_of ("m1"), 30);
  /* then the second: what is left of it, 30 */
  ck_assert_int_eq (expire ("m1", later_us), 30);
  ck_assert_int_eq (balance_of ("m1"), 0);
  ck_assert_int_eq (expire ("m1", later_us + DAY_US), 0);
}
END_TEST

START_TEST (test_expire_fifo_partial)
{
  gint64 t1 = NOW_US + 10 * DAY_US;
  gint64 t2 = NOW_US + 40 * DAY_US;

  insert_member ("m1", "");
  add_points ("m1", "earn", 100, t1, NOW_US);
  add_points ("m1", "earn", 50, t2, NOW_US + DAY_US);
  add_points ("m1", "redeem", -30, 0, NOW_US + 2 * DAY_US);

  ck_assert_int_eq (expire ("m1", t1), 70);
  ck_assert_int_eq (balance_of ("m1"), 50);
  /* idempotent: running again at the same time expires nothing more */
  ck_assert_int_eq (expire ("m1", t1), 0);
  ck_assert_int_eq (expire (NULL, t1 + DAY_US), 0);
  ck_assert_int_eq (balance_of ("m1"), 50);
  /* the second earning: 150 − (30 redeemed + 70 expired) = 50 */
  add_points ("m1", "redeem", -10, 0, t1 + DAY_US);
  ck_assert_int_eq (expire ("m1", t2), 40);
  ck_assert_int_eq (balance_of ("m1"), 0);
}
END_TEST

START_TEST (test_expire_with_refunds)
{
  gint64 t1 = NOW_US + 10 * DAY_US;

  insert_member ("m1", "");
  insert_member ("m2", "");
  /* m1: 40 of its earned points clawed back by a return */
  add_points ("m1", "earn", 100, t1, NOW_US);
  add_points ("m1", "refund", -40, 0, NOW_US + DAY_US);
  /* m2: 80 redeemed, then given back by a return: all 100 unused */
  add_points ("m2", "earn", 100, t1, NOW_US);
  add_points ("m2", "redeem", -80, 0, NOW_US + DAY_US);
  add_points ("m2", "refund", 80, 0, NOW_US + 2 * DAY_US);
  /* points that never expire */
  add_points ("m2", "earn", 25, 0, NOW_US);

  ck_assert_int_eq (expire (NULL, t1), 160);
  ck_assert_int_eq (balance_of ("m1"), 0);
  ck_assert_int_eq (balance_of ("m2"), 25);
  ck_assert_int_eq (expire (NULL, t1 + 1000 * DAY_US), 0);
}
END_TEST

START_TEST (test_expire_one_member)
{
  gint64 t1 = NOW_US + 10 * DAY_US;

  insert_member ("m1", "");
  insert_member ("m2", "");
  add_points ("m1", "earn", 10, t1, NOW_US);
  add_points ("m2", "earn", 20, t1, NOW_US);
  ck_assert_int_eq (expire ("m2", t1), 20);
  ck_assert_int_eq (balance_of ("m1"), 10);
  ck_assert_int_eq (balance_of ("m2"), 0);
  ck_assert_int_eq (expire (NULL, t1), 10);
  ck_assert_int_eq (balance_of ("m1"), 0);
}
END_TEST

/* /core/loyalty/promotions */

static const TillPromotion *
find_promotion (GPtrArray *promotions, const char *code)
{
  for (guint i = 0; i < promotions->len; i++)
    {
      const TillPromotion *promotion = g_ptr_array_index (promotions, i);

      if (g_strcmp0 (promotion->code, code) == 0)
        return promotion;
    }
  return NULL;
}

static void
assert_all_validate (GPtrArray *promotions)
{
  for (guint i = 0; i < promotions->len; i++)
    {
      g_autoptr (GError) error = NULL;
      const TillPromotion *promotion = g_ptr_array_index (promotions, i);

      ck_assert_msg (till_promotion_validate (promotion, &error), "%s: %s", promotion->code,
                     error ? error->message : "");
      ck_assert (g_str_has_prefix (promotion->code, "MEMBER-"));
      ck_assert (promotion->member_only);
    }
}

START_TEST (test_member_promotions_built)
{
  g_autoptr (TillLoyaltyRules) rules = load_rules ();
  g_autoptr (TillMember) silver = member_new ("m1", "silver", 11, 25);
  g_autoptr (TillMember) normal = member_new ("m2", "normal", 0, 0);
  g_autoptr (GDateTime) birthday_week = local_at (2026, 11, 24, 10);
  g_autoptr (GDateTime) other_week = local_at (2026, 12, 2, 10);
  g_autoptr (GDateTime) monday = local_at (2026, 11, 23, 0);
  g_autoptr (GDateTime) next_monday = local_at (2026, 11, 30, 0);
  g_autoptr (GPtrArray) plain = till_loyalty_member_promotions (rules, silver, other_week);
  g_autoptr (GPtrArray) birthday = till_loyalty_member_promotions (rules, silver, birthday_week);
  g_autoptr (GPtrArray) entry = till_loyalty_member_promotions (rules, normal, other_week);
  const TillPromotion *tier;
  const TillPromotion *cake;

  assert_all_validate (plain);
  assert_all_validate (birthday);
  assert_all_validate (entry);

  ck_assert_uint_eq (plain->len, 2);
  ck_assert_int_eq (find_promotion (plain, "MEMBER-PRICE")->kind, TILL_PROMOTION_MEMBER_PRICE);
  tier = find_promotion (plain, "MEMBER-TIER-silver");
  ck_assert_ptr_nonnull (tier);
  ck_assert_int_eq (tier->kind, TILL_PROMOTION_TIER_DISCOUNT);
  ck_assert_int_eq (tier->percent_bp, 200);
  ck_assert_uint_eq (g_strv_length (tier->tiers_only), 1);
  ck_assert_str_eq (tier->tiers_only[0], "silver");
  ck_assert_int_eq (tier->stacking, TILL_STACKING_EXCLUSIVE_GROUP);
  ck_assert_str_eq (tier->stacking_group, "member");
  ck_assert_ptr_null (find_promotion (plain, "MEMBER-BIRTHDAY"));

  ck_assert_uint_eq (birthday->len, 3);
  cake = find_promotion (birthday, "MEMBER-BIRTHDAY");
  ck_assert_ptr_nonnull (cake);
  ck_assert_int_eq (cake->kind, TILL_PROMOTION_PERCENT_OFF);
  ck_assert_int_eq (cake->percent_bp, 1000);
  ck_assert_str_eq (cake->stacking_group, "member");
  ck_assert_int_eq (cake->valid_from_us, g_date_time_to_unix (monday) * G_USEC_PER_SEC);
  ck_assert_int_eq (cake->valid_until_us, g_date_time_to_unix (next_monday) * G_USEC_PER_SEC);
  ck_assert (till_promotion_is_active_at (cake, birthday_week));
  ck_assert (!till_promotion_is_active_at (cake, other_week));

  /* the entry tier has no discount: member prices only */
  ck_assert_uint_eq (entry->len, 1);
  ck_assert_ptr_nonnull (find_promotion (entry, "MEMBER-PRICE"));
}
END_TEST

static TillPricingResult *
price (GPtrArray *promotions, GDateTime *local, const char *member_id, const char *tier)
{
  TillPricingLine    lines[2] = { { 0 } };
  TillPricingContext context = { 0 };

  /* 可乐 ¥10 with a member price of ¥8; 薯片 ¥20 without one. */
  lines[0].line_no = 1;
  lines[0].sku = "6901";
  lines[0].quantity = 1000;
  lines[0].unit_price = 1000;
  lines[0].member_price = 800;
  lines[1].line_no = 2;
  lines[1].sku = "6902";
  lines[1].quantity = 1000;
  lines[1].unit_price = 2000;
  context.local_time = local;
  context.store_id = "S001";
  context.member_id = member_id;
  context.member_tier = tier;
  return till_pricing_compute (lines, 2, promotions, &context);
}

static gint64
line_net (const TillPricingResult *result, guint index)
{
  return ((const TillPricingLineResult *) g_ptr_array_index (result->lines, index))->net;
}

START_TEST (test_member_promotions_priced)
{
  g_autoptr (TillLoyaltyRules) rules = load_rules ();
  g_autoptr (TillMember) silver = member_new ("m1", "silver", 3, 3);
  g_autoptr (GDateTime) local = local_at (2026, 11, 24, 10);
  g_autoptr (GPtrArray) promotions = till_loyalty_member_promotions (rules, silver, local);
  g_autoptr (TillPricingResult) member = NULL;
  g_autoptr (TillPricingResult) wrong_tier = NULL;
  g_autoptr (TillPricingResult) stranger = NULL;

  member = price (promotions, local, "m1", "silver");
  /* member price on 可乐 (saves 200, more than 2 % of it), 2 % off 薯片 */
  ck_assert_int_eq (line_net (member, 0), 800);
  ck_assert_int_eq (line_net (member, 1), 1960);
  ck_assert_int_eq (member->total, 2760);

  /* the tier discount is for silver members only */
  wrong_tier = price (promotions, local, "m1", "gold");
  ck_assert_int_eq (line_net (wrong_tier, 0), 800);
  ck_assert_int_eq (line_net (wrong_tier, 1), 2000);

  /* nothing without a member */
  stranger = price (promotions, local, NULL, NULL);
  ck_assert_int_eq (stranger->total, 3000);
}
END_TEST

START_TEST (test_member_promotions_birthday_stacking)
{
  g_autoptr (TillLoyaltyRules) rules = load_rules ();
  g_autoptr (TillMember) gold = member_new ("m1", "gold", 11, 25);
  g_autoptr (GDateTime) in_week = local_at (2026, 11, 24, 10);
  g_autoptr (GDateTime) after_week = local_at (2026, 12, 1, 10);
  g_autoptr (GPtrArray) promotions = till_loyalty_member_promotions (rules, gold, in_week);
  g_autoptr (GPtrArray) later = till_loyalty_member_promotions (rules, gold, after_week);
  g_autoptr (TillPricingResult) birthday = NULL;
  g_autoptr (TillPricingResult) with_store = NULL;
  g_autoptr (TillPricingResult) no_birthday = NULL;
  TillPromotion    *threshold;
  TillPromotionTier step = { 2500, 300 };

  /* the birthday's 10 % beats gold's 5 %, and they do not add up: the
   * engine takes the largest saving first (10 % of both lines, 300, more
   * than the member price's 200), a line takes one line promotion */
  birthday = price (promotions, in_week, "m1", "gold");
  ck_assert_int_eq (line_net (birthday, 0), 900);
  ck_assert_int_eq (line_net (birthday, 1), 1800);
  ck_assert_int_eq (birthday->total, 2700);
  ck_assert_uint_eq (birthday->applied->len, 1);
  ck_assert_str_eq (((TillPricingApplied *) g_ptr_array_index (birthday->applied, 0))->code,
                    "MEMBER-BIRTHDAY");

  /* the birthday promotion built in its week lapses after it… */
  no_birthday = price (promotions, after_week, "m1", "gold");
  ck_assert_int_eq (line_net (no_birthday, 1), 1900);
  /* …and is not built outside it */
  ck_assert_ptr_null (find_promotion (later, "MEMBER-BIRTHDAY"));

  /* the store's own 满25减3 stacks with the member's: 2,700 ≥ 2,500 */
  threshold = till_promotion_new ("P-STORE", "满25减3", TILL_PROMOTION_THRESHOLD);
  g_array_append_val (threshold->tiers, step);
  g_ptr_array_add (promotions, threshold);
  with_store = price (promotions, in_week, "m1", "gold");
  ck_assert_int_eq (with_store->total, 2400);
}
END_TEST

/* /core/loyalty/tender */

static void
insert_cart_tender (const char *cart_uuid,
                    int         line_no,
                    const char *kind,
                    gint64      amount,
                    gint64      tendered,
                    const char *reference)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "INSERT INTO cart_tender (cart_uuid, line_no, method, "
                                        "kind, amount, tendered, reference, created_us) "
                                        "VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, cart_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, line_no);
  sqlite3_bind_text (stmt, 3, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, amount);
  sqlite3_bind_int64 (stmt, 6, tendered);
  sqlite3_bind_text (stmt, 7, reference, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
}

static TillSalePayment *
pay_points (const char *member_id, gint64 due, gint64 amount, GError **error)
{
  g_autoptr (TillTender) tender = till_points_tender_new (store);
  TillTenderRequest request = { 0 };

  ck_assert_str_eq (till_tender_get_id (tender), "points");
  ck_assert_int_eq (till_tender_get_kind (tender), TILL_TENDER_KIND_POINTS);
  ck_assert (till_tender_decides_at_once (tender));
  request.cart_uuid = "cart-1";
  request.due = due;
  request.amount = amount;
  request.input = member_id;
  return till_tender_authorize (tender, &request, error);
}

START_TEST (test_tender_balance_cap)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSalePayment) payment = NULL;

  insert_member ("m1", "");
  add_points ("m1", "earn", 1000, 0, NOW_US);
  payment = pay_points (" m1 ", 10000, 10000, &error);
  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  /* 1,000 points pay ¥10 */
  ck_assert_str_eq (payment->method, "points");
  ck_assert_int_eq (payment->kind, TILL_TENDER_KIND_POINTS);
  ck_assert_int_eq (payment->amount, 1000);
  ck_assert_int_eq (payment->tendered, 1000);
  ck_assert_str_eq (payment->reference, "m1");
  ck_assert_str_eq (payment->account, "积分 1000");
  /* nothing is redeemed before the sale's transaction */
  ck_assert_int_eq (balance_of ("m1"), 1000);
}
END_TEST

START_TEST (test_tender_share_cap)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSalePayment) half = NULL;
  g_autoptr (TillSalePayment) asked = NULL;
  g_autoptr (TillSalePayment) after_cash = NULL;
  g_autoptr (TillSalePayment) refused = NULL;

  insert_member ("m1", "");
  add_points ("m1", "earn", 100000, 0, NOW_US);
  /* ¥100 due: points pay at most half */
  half = pay_points ("m1", 10000, 10000, &error);
  ck_assert_msg (half != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (half->amount, 5000);
  ck_assert_int_eq (half->tendered, 5000);
  /* less than the cap is taken as asked */
  asked = pay_points ("m1", 10000, 1234, &error);
  ck_assert_int_eq (asked->amount, 1234);

  /* ¥40 paid in cash already: the sale is still ¥100, half is ¥50 */
  insert_cart_tender ("cart-1", 1, "cash", 4000, 4000, NULL);
  after_cash = pay_points ("m1", 6000, 6000, &error);
  ck_assert_msg (after_cash != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (after_cash->amount, 5000);

  /* and once points paid it, nothing more */
  insert_cart_tender ("cart-1", 2, "points", 5000, 5000, "m1");
  refused = pay_points ("m1", 1000, 1000, &error);
  ck_assert_ptr_null (refused);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT);
  ck_assert_msg (strstr (error->message, "50.00") != NULL, "%s", error->message);
}
END_TEST

START_TEST (test_tender_points_applied_count)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSalePayment) rest = NULL;
  g_autoptr (TillSalePayment) refused = NULL;

  insert_member ("m1", "");
  add_points ("m1", "earn", 800, 0, NOW_US);
  /* 500 of the 800 points already pay ¥5 of this ¥100 sale */
  insert_cart_tender ("cart-1", 1, "points", 500, 500, "m1");
  rest = pay_points ("m1", 9500, 9500, &error);
  ck_assert_msg (rest != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (rest->amount, 300);
  insert_cart_tender ("cart-1", 2, "points", 300, 300, "m1");
  refused = pay_points ("m1", 9200, 9200, &error);
  ck_assert_ptr_null (refused);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT);
}
END_TEST

START_TEST (test_tender_rate_rounding)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSalePayment) payment = NULL;
  g_autoptr (TillSalePayment) small = NULL;
  g_autoptr (TillSalePayment) too_few = NULL;

  set_rules ("{\"points_per_yuan_redeemed\": 150}");
  insert_member ("m1", "");
  insert_member ("m2", "");
  add_points ("m1", "earn", 301, 0, NOW_US);
  add_points ("m2", "earn", 1, 0, NOW_US);
  /* 301 points are worth 200 fen (300 points); never a fraction given */
  payment = pay_points ("m1", 10000, 10000, &error);
  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (payment->amount, 200);
  ck_assert_int_eq (payment->tendered, 300);
  /* 1 fen costs 1.5 points: 2 */
  small = pay_points ("m1", 10000, 1, &error);
  ck_assert_int_eq (small->tendered, 2);
  too_few = pay_points ("m2", 10000, 10000, &error);
  ck_assert_ptr_null (too_few);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT);
}
END_TEST

START_TEST (test_tender_refusals)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSalePayment) payment = NULL;

  insert_member ("m1", "");
  payment = pay_points ("", 1000, 1000, &error);
  ck_assert_ptr_null (payment);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID);
  g_clear_error (&error);

  payment = pay_points (NULL, 1000, 1000, &error);
  ck_assert_ptr_null (payment);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID);
  g_clear_error (&error);

  payment = pay_points ("nobody", 1000, 1000, &error);
  ck_assert_ptr_null (payment);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID);
  ck_assert_msg (strstr (error->message, "nobody") != NULL, "%s", error->message);
  g_clear_error (&error);

  payment = pay_points ("m1", 1000, 1000, &error);
  ck_assert_ptr_null (payment);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT);
  ck_assert_str_eq (error->message, _ ("The member has no points to spend"));
  g_clear_error (&error);

  add_points ("m1", "earn", 500, 0, NOW_US);
  payment = pay_points ("m1", 0, 1000, &error);
  ck_assert_ptr_null (payment);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT);
  g_clear_error (&error);

  payment = pay_points ("m1", 1000, 0, &error);
  ck_assert_ptr_null (payment);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID);
  g_clear_error (&error);

  set_rules ("{\"points_max_share_bp\": 0}");
  payment = pay_points ("m1", 1000, 1000, &error);
  ck_assert_ptr_null (payment);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_DISABLED);
  g_clear_error (&error);

  set_rules ("{\"points_max_share_bp\": \"half\"}");
  payment = pay_points ("m1", 1000, 1000, &error);
  ck_assert_ptr_null (payment);
  ck_assert_error (error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_RULES);
}
END_TEST

/* /core/loyalty/history */

static void
insert_line (const char *sale_uuid, int line_no, gint64 product_id, gint64 amount)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "INSERT INTO sale_line (sale_uuid, line_no, product_id, "
                                        "sku, name, unit, quantity, unit_price, amount, "
                                        "vat_rate, weighed) VALUES (?, ?, ?, 'x', 'x', '件', "
                                        "1000, ?, ?, 1300, 0)",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, sale_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, line_no);
  sqlite3_bind_int64 (stmt, 3, product_id);
  sqlite3_bind_int64 (stmt, 4, amount);
  sqlite3_bind_int64 (stmt, 5, amount);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
}

START_TEST (test_member_summary)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillMemberSummary) summary = NULL;
  g_autoptr (TillMemberSummary) empty = NULL;
  g_autoptr (TillMemberSummary) missing = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  g_autofree char *other = NULL;
  g_auto (GStrv) sales = NULL;
  g_auto (GStrv) last_two = NULL;
  g_auto (GStrv) none = NULL;

  exec_sql ("INSERT INTO category (id, name) VALUES (1, '饮料'), (2, '零食'), (3, '日用品'),"
            " (4, '生鲜');"
            "INSERT INTO product (id, sku, name, unit, category_id, price) VALUES"
            " (1, '6901', '可乐', '瓶', 1, 300), (2, '6902', '薯片', '袋', 2, 800),"
            " (3, '6903', '纸巾', '包', 3, 1200), (4, '6904', '苹果', 'kg', 4, 1000),"
            " (5, '6905', '散装', '件', NULL, 100);");
  insert_member ("m1", "silver");
  insert_member ("m2", "");
  first = insert_sale ("m1", 5000, NOW_US - 3 * DAY_US);
  insert_line (first, 1, 1, 1000);
  insert_line (first, 2, 3, 4000);
  second = insert_sale ("m1", 3000, NOW_US - 2 * DAY_US);
  insert_line (second, 1, 2, 2500);
  insert_line (second, 2, 4, 400);
  insert_line (second, 3, 5, 100);
  third = insert_sale ("m1", 2000, NOW_US - DAY_US);
  insert_line (third, 1, 1, 2000);
  other = insert_sale ("m2", 90000, NOW_US);
  insert_line (other, 1, 4, 90000);
  insert_return (first, 1500, NOW_US - DAY_US);
  add_points ("m1", "earn", 77, 0, NOW_US);

  summary = till_loyalty_member_summary (store, "m1", &error);
  ck_assert_msg (summary != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (summary->spend, 8500);
  ck_assert_int_eq (summary->visits, 3);
  ck_assert_int_eq (summary->last_visit_us, NOW_US - DAY_US);
  ck_assert_int_eq (summary->points, 77);
  /* 日用品 4,000; 饮料 3,000; 零食 2,500; 生鲜 400 is fourth */
  ck_assert_uint_eq (g_strv_length (summary->favourite_categories), 3);
  ck_assert_str_eq (summary->favourite_categories[0], "日用品");
  ck_assert_str_eq (summary->favourite_categories[1], "饮料");
  ck_assert_str_eq (summary->favourite_categories[2], "零食");

  empty = till_loyalty_member_summary (store, "m2", &error);
  ck_assert_ptr_nonnull (empty);
  ck_assert_int_eq (empty->spend, 90000);
  ck_assert_str_eq (empty->favourite_categories[0], "生鲜");

  missing = till_loyalty_member_summary (store, "nobody", &error);
  ck_assert_ptr_null (missing);
  ck_assert_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND);
  g_clear_error (&error);

  sales = till_loyalty_member_sales (store, "m1", 10, &error);
  ck_assert_ptr_nonnull (sales);
  ck_assert_uint_eq (g_strv_length (sales), 3);
  ck_assert_str_eq (sales[0], third);
  ck_assert_str_eq (sales[1], second);
  ck_assert_str_eq (sales[2], first);
  last_two = till_loyalty_member_sales (store, "m1", 2, &error);
  ck_assert_uint_eq (g_strv_length (last_two), 2);
  ck_assert_str_eq (last_two[0], third);
  none = till_loyalty_member_sales (store, "nobody", 5, &error);
  ck_assert_ptr_nonnull (none);
  ck_assert_uint_eq (g_strv_length (none), 0);
}
END_TEST

static Suite *
loyalty_suite (void)
{
  Suite *suite = suite_create ("loyalty");
  TCase *tc;

  tc = tcase_create ("/core/loyalty/rules");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_rules_defaults);
  tcase_add_test (tc, test_rules_custom);
  tcase_add_loop_test (tc, test_rules_refused, 0, G_N_ELEMENTS (bad_rules));
  suite_add_tcase (suite, tc);

  tc = tcase_create ("/core/loyalty/tier");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_tier_by_spend);
  tcase_add_test (tc, test_tier_by_visits);
  tcase_add_test (tc, test_tier_written_when_changed);
  tcase_add_test (tc, test_tier_unknown_member);
  tcase_add_test (tc, test_tier_bad_rules);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("/core/loyalty/points");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_points_earn_rounding);
  tcase_add_test (tc, test_points_birthday_multiplier);
  tcase_add_test (tc, test_birthday_week_edges);
  tcase_add_test (tc, test_points_expires_us);
  tcase_add_test (tc, test_points_ledger);
  tcase_add_test (tc, test_points_redeem);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("/core/loyalty/expire");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_expire_fifo_redeemed_first);
  tcase_add_test (tc, test_expire_fifo_partial);
  tcase_add_test (tc, test_expire_with_refunds);
  tcase_add_test (tc, test_expire_one_member);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("/core/loyalty/promotions");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_member_promotions_built);
  tcase_add_test (tc, test_member_promotions_priced);
  tcase_add_test (tc, test_member_promotions_birthday_stacking);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("/core/loyalty/tender");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_tender_balance_cap);
  tcase_add_test (tc, test_tender_share_cap);
  tcase_add_test (tc, test_tender_points_applied_count);
  tcase_add_test (tc, test_tender_rate_rounding);
  tcase_add_test (tc, test_tender_refusals);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("/core/loyalty/history");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_member_summary);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return till_test_run_suite (loyalty_suite ());
}
