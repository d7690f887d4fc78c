/* test-member-list.c: tests for src/core/till-member-list.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

/* Says which error came instead, when another did. */
#define ck_assert_error(error, domain, code)                                                \
  ck_assert_msg (g_error_matches ((error), (domain), (code)), "expected error %d, got: %s", \
                 (int) (code), (error) != NULL ? (error)->message : "no error")

static char          *scratch;
static TillStore     *store;
static TillJournal   *journal;
static TillMemberKey *key;
static TillUser      *cashier;
static TillUser      *manager;
static int            n_sales;

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *key_path = NULL;
  guint8           key_bytes[64];

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  ck_assert (till_user_create (store, "1001", "王小丽", TILL_ROLE_CASHIER, "1234", &error) > 0);
  ck_assert (till_user_create (store, "9001", "李经理", TILL_ROLE_MANAGER, "9999", &error) > 0);
  cashier = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_msg (cashier != NULL, "%s", error ? error->message : "");
  manager = till_user_authenticate (store, "9001", "9999", &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < sizeof key_bytes; i++)
    key_bytes[i] = (guint8) (i * 7 + 3);
  key = till_member_key_new_from_bytes (key_bytes);
  n_sales = 0;
}

static void
teardown (void)
{
  g_clear_object (&key);
  g_clear_object (&manager);
  g_clear_object (&cashier);
  g_clear_object (&journal);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

static void
exec_sql (const char *sql)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_store_exec (store, sql, &error), "%s", error ? error->message : "");
}

static gint64
count_rows (const char *sql)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* Registers a member as the till does; returns their id. */
static char *
register_member (const char *phone, const char *name, const char *birthday, gboolean opt_out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillMember) member = NULL;
  TillMemberSpec spec = {
    .phone = phone,
    .name = name,
    .birthday = birthday,
    .opt_out = opt_out,
  };

  member = till_member_register (store, journal, key, cashier, &spec, &error);
  ck_assert_msg (member != NULL, "%s", error ? error->message : "");
  return g_strdup (member->id);
}

static void
set_tier (const char *id, const char *tier)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_member_set_tier (store, id, tier, &error), "%s", error ? error->message : "");
}

static void
set_registered (const char *id, gint64 registered_us)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "UPDATE member SET registered_us = ? WHERE id = ?", -1,
                                        &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, registered_us);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
}

/* A sale of @product_id to @member_id at @created_us, as the schema holds
 * one: a journal entry, the sale and its line. */
static void
record_sale (const char *member_id, gint64 product_id, gint64 created_us)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = g_bytes_new_static ("{}", 2);
  g_autoptr (sqlite3_stmt) sale = NULL;
  g_autoptr (sqlite3_stmt) line = NULL;
  g_autofree char *uuid = g_strdup_printf ("sale-%05d", ++n_sales);
  gint64           seq = 0;

  ck_assert (till_store_begin (store, &error));
  ck_assert (till_journal_append (journal, "sale", uuid, created_us, body, &seq, NULL, &error));
  ck_assert_int_eq (sqlite3_prepare_v2 (
                        till_store_get_db (store),
                        "INSERT INTO sale (uuid, receipt_no, till_id, business_day, created_us, "
                        "cashier_code, cashier_name, subtotal, rounding, total, item_count, "
                        "journal_seq, member_id) "
                        "VALUES (?, ?, 'T1', '2026-03-01', ?, '1001', '王小丽', 0, 0, 0, 1, ?, ?)",
                        -1, &sale, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (sale, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int (sale, 2, n_sales);
  sqlite3_bind_int64 (sale, 3, created_us);
  sqlite3_bind_int64 (sale, 4, seq);
  sqlite3_bind_text (sale, 5, member_id, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (sale), SQLITE_DONE);
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "INSERT INTO sale_line (sale_uuid, line_no, product_id, "
                                        "sku, name, unit, quantity, unit_price, amount, "
                                        "vat_rate, weighed) "
                                        "VALUES (?, 1, ?, 'X', 'X', '个', 1000, 500, 500, 1300, 0)",
                                        -1, &line, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (line, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (line, 2, product_id);
  ck_assert_int_eq (sqlite3_step (line), SQLITE_DONE);
  ck_assert (till_store_commit (store, &error));
}

static GPtrArray *
build (TillMemberListKind kind, const char *arg, gint64 now_us)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *members = till_member_list_build (store, key, kind, arg, now_us, &error);

  ck_assert_msg (members != NULL, "%s", error ? error->message : "");
  return members;
}

static void
build_fails (TillMemberListKind kind, const char *arg)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) members =
      till_member_list_build (store, key, kind, arg, g_get_real_time (), &error);

  ck_assert_msg (members == NULL, "a list for “%s”", arg);
  ck_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* The ids on @members, sorted, joined by spaces. */
static char *
ids_of (GPtrArray *members)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < members->len; i++)
    {
      const TillMember *member = g_ptr_array_index (members, i);

      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, member->id);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static int
compare_ids (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static char *
sorted_ids (const char *const *ids, guint n)
{
  g_autoptr (GPtrArray) sorted = g_ptr_array_new ();

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (sorted, (gpointer) ids[i]);
  g_ptr_array_sort (sorted, compare_ids);
  g_ptr_array_add (sorted, NULL);
  return g_strjoinv (" ", (char **) sorted->pdata);
}

#define ASSERT_IDS(members, ...)                                                \
  G_STMT_START                                                                  \
  {                                                                             \
    const char *const expected_[] = { __VA_ARGS__ };                            \
    g_autofree char  *want_ = sorted_ids (expected_, G_N_ELEMENTS (expected_)); \
    g_autofree char  *got_ = ids_of (members);                                  \
                                                                                \
    ck_assert_str_eq (got_, want_);                                             \
  }                                                                             \
  G_STMT_END

static gint64
export_entries (void)
{
  return count_rows ("SELECT count(*) FROM journal WHERE kind = 'member-list-export'");
}

/* /core/member-list/kind-names */
START_TEST (test_kind_names)
{
  TillMemberListKind kind;

  for (int k = TILL_MEMBER_LIST_TIER; k <= TILL_MEMBER_LIST_BOUGHT_CATEGORY; k++)
    {
      const char *name = till_member_list_kind_to_string ((TillMemberListKind) k);

      ck_assert_ptr_nonnull (name);
      ck_assert (till_member_list_kind_from_string (name, &kind));
      ck_assert_int_eq (kind, k);
    }
  ck_assert_str_eq (till_member_list_kind_to_string (TILL_MEMBER_LIST_LAPSED), "lapsed");
  ck_assert (!till_member_list_kind_from_string ("everyone", &kind));
  ck_assert (!till_member_list_kind_from_string (NULL, &kind));
}
END_TEST

/* /core/member-list/tier: the tier's members, without those who opted out
 * or were erased. */
START_TEST (test_tier)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *gold = register_member ("13800000001", "张三", NULL, FALSE);
  g_autofree char *silver = register_member ("13800000002", "李四", NULL, FALSE);
  g_autofree char *gold_opt_out = register_member ("13800000003", "王五", NULL, TRUE);
  g_autofree char *gold_erased = register_member ("13800000004", "赵六", NULL, FALSE);
  g_autofree char *gold_too = register_member ("13800000005", NULL, NULL, FALSE);
  g_autoptr (GPtrArray) members = NULL;

  set_tier (gold, "gold");
  set_tier (silver, "silver");
  set_tier (gold_opt_out, "gold");
  set_tier (gold_erased, "gold");
  set_tier (gold_too, "gold");
  ck_assert_msg (till_member_erase (store, journal, manager, NULL, gold_erased, &error), "%s",
                 error ? error->message : "");

  members = build (TILL_MEMBER_LIST_TIER, "gold", g_get_real_time ());
  ASSERT_IDS (members, gold, gold_too);
  {
    const TillMember *first = g_ptr_array_index (members, 0);

    ck_assert_str_eq (first->tier, "gold");
    ck_assert (!first->opt_out);
  }
  {
    g_autoptr (GPtrArray) silvers = build (TILL_MEMBER_LIST_TIER, "silver", g_get_real_time ());

    ASSERT_IDS (silvers, silver);
  }
  {
    g_autoptr (GPtrArray) none = build (TILL_MEMBER_LIST_TIER, "platinum", g_get_real_time ());

    ck_assert_uint_eq (none->len, 0);
  }
  build_fails (TILL_MEMBER_LIST_TIER, NULL);
  build_fails (TILL_MEMBER_LIST_TIER, "");
}
END_TEST

/* /core/member-list/lapsed: registered before the cut-off and no sale since;
 * a recent visit or a recent registration keeps a member off. */
START_TEST (test_lapsed)
{
  gint64           now_us = g_get_real_time () + 400 * G_TIME_SPAN_DAY;
  g_autofree char *recent_visit = register_member ("13900000001", "甲", NULL, FALSE);
  g_autofree char *old_visit = register_member ("13900000002", "乙", NULL, FALSE);
  g_autofree char *never = register_member ("13900000003", "丙", NULL, FALSE);
  g_autofree char *new_member = register_member ("13900000004", "丁", NULL, FALSE);
  g_autofree char *opted_out = register_member ("13900000005", "戊", NULL, TRUE);
  g_autoptr (GPtrArray) members = NULL;

  exec_sql ("INSERT INTO product (id, sku, name, unit, price) VALUES (1, 'P1', '可乐', '罐', 350)");
  set_registered (recent_visit, now_us - 300 * G_TIME_SPAN_DAY);
  set_registered (old_visit, now_us - 300 * G_TIME_SPAN_DAY);
  set_registered (never, now_us - 300 * G_TIME_SPAN_DAY);
  set_registered (new_member, now_us - 10 * G_TIME_SPAN_DAY);
  set_registered (opted_out, now_us - 300 * G_TIME_SPAN_DAY);
  record_sale (recent_visit, 1, now_us - 200 * G_TIME_SPAN_DAY);
  record_sale (recent_visit, 1, now_us - 89 * G_TIME_SPAN_DAY);
  record_sale (old_visit, 1, now_us - 91 * G_TIME_SPAN_DAY);

  members = build (TILL_MEMBER_LIST_LAPSED, "90", now_us);
  ASSERT_IDS (members, old_visit, never);
  {
    g_autoptr (GPtrArray) longer = build (TILL_MEMBER_LIST_LAPSED, "95", now_us);

    ASSERT_IDS (longer, never);
  }
  {
    g_autoptr (GPtrArray) shorter = build (TILL_MEMBER_LIST_LAPSED, "5", now_us);

    ASSERT_IDS (shorter, recent_visit, old_visit, never, new_member);
  }
  build_fails (TILL_MEMBER_LIST_LAPSED, "abc");
  build_fails (TILL_MEMBER_LIST_LAPSED, "0");
  build_fails (TILL_MEMBER_LIST_LAPSED, "-3");
}
END_TEST

/* /core/member-list/birthday-month: opened from the sealed birthdays, with or
 * without a year; NULL is the month of @now_us. */
START_TEST (test_birthday_month)
{
  g_autofree char *may_with_year = register_member ("13700000001", "甲", "1990-05-17", FALSE);
  g_autofree char *may_no_year = register_member ("13700000002", "乙", "05-30", FALSE);
  g_autofree char *june = register_member ("13700000003", "丙", "1985-06-01", FALSE);
  g_autofree char *unknown = register_member ("13700000004", "丁", NULL, FALSE);
  g_autofree char *may_opted_out = register_member ("13700000005", "戊", "1970-05-05", TRUE);
  g_autoptr (GPtrArray) may = build (TILL_MEMBER_LIST_BIRTHDAY_MONTH, "5", g_get_real_time ());
  g_autoptr (GDateTime) mid_june = g_date_time_new_local (2026, 6, 15, 12, 0, 0);
  g_autoptr (GPtrArray) this_month = build (TILL_MEMBER_LIST_BIRTHDAY_MONTH, NULL,
                                            g_date_time_to_unix (mid_june) * G_USEC_PER_SEC);
  g_autoptr (GPtrArray) december =
      build (TILL_MEMBER_LIST_BIRTHDAY_MONTH, "12", g_get_real_time ());

  (void) unknown;
  (void) may_opted_out;
  ASSERT_IDS (may, may_with_year, may_no_year);
  for (guint i = 0; i < may->len; i++)
    ck_assert_uint_eq (((TillMember *) g_ptr_array_index (may, i))->birth_month, 5);
  ASSERT_IDS (this_month, june);
  ck_assert_uint_eq (((TillMember *) g_ptr_array_index (this_month, 0))->birth_day, 1);
  ck_assert_uint_eq (december->len, 0);
  /* No birthday is in the database in plain text. */
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM member WHERE "
                                "instr (CAST (birthday_sealed AS TEXT), '05-17') > 0"),
                    0);
  build_fails (TILL_MEMBER_LIST_BIRTHDAY_MONTH, "13");
  build_fails (TILL_MEMBER_LIST_BIRTHDAY_MONTH, "0");
  build_fails (TILL_MEMBER_LIST_BIRTHDAY_MONTH, "May");
}
END_TEST

/* /core/member-list/bought-category: a sale with a line in the category or
 * any category below it. */
START_TEST (test_bought_category)
{
  g_autofree char *chips_buyer = register_member ("13600000001", "甲", NULL, FALSE);
  g_autofree char *drink_buyer = register_member ("13600000002", "乙", NULL, FALSE);
  g_autofree char *both = register_member ("13600000003", "丙", NULL, FALSE);
  g_autofree char *opted_out = register_member ("13600000004", "丁", NULL, TRUE);
  g_autofree char *nothing = register_member ("13600000005", "戊", NULL, FALSE);

  (void) nothing;
  exec_sql ("INSERT INTO category (id, parent_id, name, code) VALUES "
            "(1, NULL, '食品', 'FOOD'), (2, 1, '零食', 'SNACK'), (3, 2, '薯片', 'CHIPS'), "
            "(4, NULL, '饮料', 'DRINK'), (5, 1, '粮油', 'GRAIN');"
            "INSERT INTO product (id, sku, name, unit, price, category_id) VALUES "
            "(1, 'P1', '乐事薯片', '袋', 650, 3), (2, 'P2', '可乐', '罐', 350, 4);");
  record_sale (chips_buyer, 1, g_get_real_time ());
  record_sale (drink_buyer, 2, g_get_real_time ());
  record_sale (both, 1, g_get_real_time ());
  record_sale (both, 2, g_get_real_time ());
  record_sale (opted_out, 1, g_get_real_time ());
  record_sale (NULL, 1, g_get_real_time ());

  {
    g_autoptr (GPtrArray) food = build (TILL_MEMBER_LIST_BOUGHT_CATEGORY, "FOOD", 0);
    g_autoptr (GPtrArray) snack = build (TILL_MEMBER_LIST_BOUGHT_CATEGORY, "SNACK", 0);
    g_autoptr (GPtrArray) chips = build (TILL_MEMBER_LIST_BOUGHT_CATEGORY, "CHIPS", 0);
    g_autoptr (GPtrArray) drink = build (TILL_MEMBER_LIST_BOUGHT_CATEGORY, "DRINK", 0);
    g_autoptr (GPtrArray) grain = build (TILL_MEMBER_LIST_BOUGHT_CATEGORY, "GRAIN", 0);

    ASSERT_IDS (food, chips_buyer, both);
    ASSERT_IDS (snack, chips_buyer, both);
    ASSERT_IDS (chips, chips_buyer, both);
    ASSERT_IDS (drink, drink_buyer, both);
    ck_assert_uint_eq (grain->len, 0);
  }
  build_fails (TILL_MEMBER_LIST_BOUGHT_CATEGORY, "NOSUCH");
  build_fails (TILL_MEMBER_LIST_BOUGHT_CATEGORY, NULL);
}
END_TEST

/* /core/member-list/masked-without-permission: a cashier's list carries
 * masked phones and names only, and nothing is journaled. */
START_TEST (test_masked_without_permission)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = register_member ("13812341234", "王小丽", NULL, FALSE);
  g_autoptr (GPtrArray) members = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *json = NULL;
  g_autofree char *expected = NULL;
  gint64           before = export_entries ();

  set_tier (id, "gold");
  members = build (TILL_MEMBER_LIST_TIER, "gold", g_get_real_time ());
  csv = till_member_list_to_csv (store, journal, key, cashier, NULL, members, "gold", &error);
  ck_assert_msg (csv != NULL, "%s", error ? error->message : "");
  expected =
      g_strdup_printf ("id,phone,name,tier,last_visit\r\n%s,138****1234,王*丽,gold,\r\n", id);
  ck_assert_str_eq (csv, expected);
  json = till_member_list_to_json (store, journal, key, cashier, NULL, members, "gold", &error);
  ck_assert_msg (json != NULL, "%s", error ? error->message : "");
  ck_assert_ptr_null (strstr (json, "13812341234"));
  ck_assert_ptr_nonnull (strstr (json, "\"phone\":\"138****1234\""));
  ck_assert_int_eq (export_entries (), before);
}
END_TEST

/* /core/member-list/full-with-permission: a manager's list has the full
 * phone and name, and each export is journaled naming the list, its size
 * and the manager. */
START_TEST (test_full_with_permission)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = register_member ("13812341234", "王小丽", NULL, FALSE);
  g_autofree char *other = register_member ("13912345678", NULL, NULL, FALSE);
  g_autoptr (GPtrArray) members = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *json = NULL;
  g_autofree char *expected_json = NULL;
  gint64           before = export_entries ();
  gint64           bad_seq = 0;

  set_tier (id, "gold");
  set_tier (other, "gold");
  exec_sql ("INSERT INTO product (id, sku, name, unit, price) VALUES (1, 'P1', '可乐', '罐', 350)");
  record_sale (id, 1, g_get_real_time ());
  members = build (TILL_MEMBER_LIST_TIER, "gold", g_get_real_time ());
  ck_assert_uint_eq (members->len, 2);
  csv = till_member_list_to_csv (store, journal, key, manager, NULL, members, "tier-gold", &error);
  ck_assert_msg (csv != NULL, "%s", error ? error->message : "");
  ck_assert_ptr_nonnull (strstr (csv, ",13812341234,王小丽,gold,"));
  ck_assert_ptr_nonnull (strstr (csv, ",13912345678,,gold,\r\n"));
  ck_assert_ptr_null (strstr (csv, "****"));
  {
    g_autoptr (GDateTime) today = g_date_time_new_now_local ();
    g_autofree char *day = g_date_time_format (today, "%Y-%m-%d");
    g_autofree char *row = g_strdup_printf ("%s,13812341234,王小丽,gold,%s\r\n", id, day);

    ck_assert_ptr_nonnull (strstr (csv, row));
  }
  ck_assert_int_eq (export_entries (), before + 1);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal WHERE kind = 'member-list-export' "
                                "AND instr (body, '\"list\":\"tier-gold\"') > 0 "
                                "AND instr (body, '\"size\":2') > 0 "
                                "AND instr (body, '\"user_code\":\"9001\"') > 0"),
                    1);

  json =
      till_member_list_to_json (store, journal, key, manager, NULL, members, "tier-gold", &error);
  ck_assert_msg (json != NULL, "%s", error ? error->message : "");
  {
    const TillMember *first = g_ptr_array_index (members, 0);
    const TillMember *second = g_ptr_array_index (members, 1);
    gboolean          id_first = g_str_equal (first->id, id);

    expected_json = g_strdup_printf (
        "{\"list\":\"tier-gold\",\"members\":[{\"id\":\"%s\",\"phone\":\"%s\",\"name\":\"%s\","
        "\"tier\":\"gold\"},{\"id\":\"%s\",\"phone\":\"%s\",\"name\":\"%s\",\"tier\":\"gold\"}]}",
        first->id, id_first ? "13812341234" : "13912345678", id_first ? "王小丽" : "", second->id,
        id_first ? "13912345678" : "13812341234", id_first ? "" : "王小丽");
  }
  ck_assert_str_eq (json, expected_json);
  ck_assert_int_eq (export_entries (), before + 2);
  ck_assert_msg (till_journal_verify (journal, &bad_seq, &error), "%s",
                 error ? error->message : "");
}
END_TEST

/* /core/member-list/override: a cashier gets the full list with a manager's
 * override (journaled as an override and as the export); a wrong PIN is an
 * error, not a quietly masked list. */
START_TEST (test_override)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = register_member ("13812341234", "王小丽", NULL, FALSE);
  g_autoptr (GPtrArray) members = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *refused = NULL;
  TillOverride     good = { "9001", "9999", FALSE, "marketing-campaign" };
  TillOverride     bad = { "9001", "0000", FALSE, "marketing-campaign" };
  gint64           before = export_entries ();
  gint64           overrides = count_rows ("SELECT count(*) FROM journal WHERE kind = 'override'");

  set_tier (id, "gold");
  members = build (TILL_MEMBER_LIST_TIER, "gold", g_get_real_time ());
  refused = till_member_list_to_csv (store, journal, key, cashier, &bad, members, "gold", &error);
  ck_assert_ptr_null (refused);
  ck_assert_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE);
  ck_assert_int_eq (export_entries (), before);
  g_clear_error (&error);

  csv = till_member_list_to_csv (store, journal, key, cashier, &good, members, "gold", &error);
  ck_assert_msg (csv != NULL, "%s", error ? error->message : "");
  ck_assert_ptr_nonnull (strstr (csv, ",13812341234,王小丽,"));
  ck_assert_int_eq (export_entries (), before + 1);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal WHERE kind = 'override'"),
                    overrides + 1);
}
END_TEST

/* /core/member-list/csv-quoting: RFC 4180: a field with a comma or a quote is
 * quoted, its quotes doubled; lines end in CRLF. */
START_TEST (test_csv_quoting)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = register_member ("13812341234", "Li, \"Lucky\" Wang", NULL, FALSE);
  g_autoptr (GPtrArray) members = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *expected = NULL;

  set_tier (id, "gold");
  members = build (TILL_MEMBER_LIST_TIER, "gold", g_get_real_time ());
  csv = till_member_list_to_csv (store, journal, key, manager, NULL, members, "gold", &error);
  ck_assert_msg (csv != NULL, "%s", error ? error->message : "");
  expected = g_strdup_printf ("id,phone,name,tier,last_visit\r\n"
                              "%s,13812341234,\"Li, \"\"Lucky\"\" Wang\",gold,\r\n",
                              id);
  ck_assert_str_eq (csv, expected);
}
END_TEST

/* /core/member-list/csv-formula: a name a spreadsheet would run as a formula
 * is written as text. */
START_TEST (test_csv_formula)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = register_member ("13812341234", "=HYPERLINK(\"http://x\")", NULL, FALSE);
  g_autoptr (GPtrArray) members = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *expected = NULL;

  set_tier (id, "gold");
  members = build (TILL_MEMBER_LIST_TIER, "gold", g_get_real_time ());
  csv = till_member_list_to_csv (store, journal, key, manager, NULL, members, "gold", &error);
  ck_assert_msg (csv != NULL, "%s", error ? error->message : "");
  expected = g_strdup_printf ("id,phone,name,tier,last_visit\r\n"
                              "%s,13812341234,\"'=HYPERLINK(\"\"http://x\"\")\",gold,\r\n",
                              id);
  ck_assert_str_eq (csv, expected);
}
END_TEST

static Suite *
member_list_suite (void)
{
  Suite *suite = suite_create ("member-list");
  struct
  {
    const char  *name;
    const TTest *test;
  } cases[] = {
    { "/core/member-list/kind-names", test_kind_names },
    { "/core/member-list/tier", test_tier },
    { "/core/member-list/lapsed", test_lapsed },
    { "/core/member-list/birthday-month", test_birthday_month },
    { "/core/member-list/bought-category", test_bought_category },
    { "/core/member-list/masked-without-permission", test_masked_without_permission },
    { "/core/member-list/full-with-permission", test_full_with_permission },
    { "/core/member-list/override", test_override },
    { "/core/member-list/csv-quoting", test_csv_quoting },
    { "/core/member-list/csv-formula", test_csv_formula },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TCase *tcase = tcase_create (cases[i].name);

      tcase_add_checked_fixture (tcase, setup, teardown);
      tcase_add_test (tcase, cases[i].test);
      suite_add_tcase (suite, tcase);
    }
  return suite;
}

int
main (void)
{
  return till_test_run_suite (member_list_suite ());
}
