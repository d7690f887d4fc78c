/* test-recommender.c: tests for src/core/till-recommender.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

/* The hand-made store's products. */
enum
{
  BEER = 101,
  PEANUTS = 102,
  BREAD = 103,
  MILK = 104,
  NOODLES = 105,
  COLA = 106,
  CHIPS = 107,
  EGGS = 108,
};

/* A day in the history, µs since the epoch (2026-03-01 00:00 UTC). */
#define DAY0_US (G_GINT64_CONSTANT (1772323200) * G_USEC_PER_SEC)

static char        *scratch;
static TillStore   *store;
static TillJournal *journal;
static int          n_recorded;

static void
add_product (gint64 id, const char *name)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *sku = g_strdup_printf ("P%" G_GINT64_FORMAT, id);

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "INSERT INTO product (id, sku, name, unit, price) "
                                        "VALUES (?, ?, ?, '个', 500)",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, sku, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, name, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
}

static void
exec_sql (const char *sql)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_store_exec (store, sql, &error), "%s", error ? error->message : "");
}

/* Records a sale of @products (0-terminated) at @created_us the way the
 * schema holds one: a journal entry, the sale and its lines. */
static void
record_sale (gint64 created_us, const char *member_id, const gint64 *products)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = g_bytes_new_static ("{}", 2);
  g_autoptr (sqlite3_stmt) sale = NULL;
  g_autofree char *uuid = g_strdup_printf ("sale-%05d", ++n_recorded);
  gint64           seq = 0;
  int              n_lines = 0;

  ck_assert (till_store_begin (store, &error));
  ck_assert_msg (till_journal_append (journal, "sale", uuid, created_us, body, &seq, NULL, &error),
                 "%s", error ? error->message : "");
  while (products[n_lines] != 0)
    n_lines++;
  ck_assert_int_eq (sqlite3_prepare_v2 (
                        till_store_get_db (store),
                        "INSERT INTO sale (uuid, receipt_no, till_id, business_day, created_us, "
                        "cashier_code, cashier_name, subtotal, rounding, total, item_count, "
                        "journal_seq, member_id) "
                        "VALUES (?, ?, 'T1', '2026-03-01', ?, '1001', '王小丽', 0, 0, 0, ?, ?, ?)",
                        -1, &sale, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (sale, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int (sale, 2, n_recorded);
  sqlite3_bind_int64 (sale, 3, created_us);
  sqlite3_bind_int (sale, 4, n_lines);
  sqlite3_bind_int64 (sale, 5, seq);
  sqlite3_bind_text (sale, 6, member_id, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (sale), SQLITE_DONE);
  for (int i = 0; i < n_lines; i++)
    {
      g_autoptr (sqlite3_stmt) line = NULL;

      ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                            "INSERT INTO sale_line (sale_uuid, line_no, "
                                            "product_id, sku, name, unit, quantity, unit_price, "
                                            "amount, vat_rate, weighed) "
                                            "VALUES (?, ?, ?, 'X', 'X', '个', 1000, 500, 500, "
                                            "1300, 0)",
                                            -1, &line, NULL),
                        SQLITE_OK);
      sqlite3_bind_text (line, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int (line, 2, i + 1);
      sqlite3_bind_int64 (line, 3, products[i]);
      ck_assert_int_eq (sqlite3_step (line), SQLITE_DONE);
    }
  ck_assert (till_store_commit (store, &error));
}

#define SALE(when, member, ...) record_sale ((when), (member), (const gint64[]){ __VA_ARGS__, 0 })

/* The history every test starts from, one sale an hour on day 0:
 * beer with peanuts 5 times, bread with milk 4 times, eggs with chips twice
 * (below the minimum support), cola alone 6 times (the best seller), chips
 * alone twice; member M1 buys noodles three times. */
static void
record_history (void)
{
  gint64 t = DAY0_US;

  for (int i = 0; i < 5; i++)
    SALE (t += G_TIME_SPAN_HOUR, NULL, BEER, PEANUTS);
  for (int i = 0; i < 4; i++)
    SALE (t += G_TIME_SPAN_HOUR, NULL, BREAD, MILK);
  for (int i = 0; i < 2; i++)
    SALE (t += G_TIME_SPAN_HOUR, NULL, EGGS, CHIPS);
  for (int i = 0; i < 6; i++)
    SALE (t += G_TIME_SPAN_HOUR, NULL, COLA);
  for (int i = 0; i < 2; i++)
    SALE (t += G_TIME_SPAN_HOUR, NULL, CHIPS);
  SALE (t += G_TIME_SPAN_HOUR, "M1", NOODLES, COLA);
  SALE (t += G_TIME_SPAN_HOUR, "M1", NOODLES);
  SALE (t += G_TIME_SPAN_HOUR, "M1", NOODLES, BREAD);
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *key_path = NULL;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  add_product (BEER, "青岛啤酒 500ml");
  add_product (PEANUTS, "酒鬼花生");
  add_product (BREAD, "桃李面包");
  add_product (MILK, "蒙牛纯牛奶");
  add_product (NOODLES, "康师傅红烧牛肉面");
  add_product (COLA, "可口可乐 330ml");
  add_product (CHIPS, "乐事薯片");
  add_product (EGGS, "鸡蛋 10枚");
  n_recorded = 0;
  record_history ();
}

static void
teardown (void)
{
  g_clear_object (&journal);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

static TillRecommender *
trained_recommender (void)
{
  g_autoptr (GError) error = NULL;
  TillRecommender *recommender = till_recommender_new (store);

  ck_assert_msg (till_recommender_train (recommender, DAY0_US, DAY0_US + G_TIME_SPAN_DAY, &error),
                 "%s", error ? error->message : "");
  return recommender;
}

static gboolean
suggests (GArray *suggestions, gint64 product_id)
{
  for (guint i = 0; i < suggestions->len; i++)
    if (g_array_index (suggestions, TillSuggestion, i).product_id == product_id)
      return TRUE;
  return FALSE;
}

#define NTH(suggestions, i) (&g_array_index ((suggestions), TillSuggestion, (i)))

/* /core/recommender/untrained-suggests-nothing */
START_TEST (test_untrained_suggests_nothing)
{
  g_autoptr (TillRecommender) recommender = till_recommender_new (store);
  const gint64 cart[] = { BEER };
  g_autoptr (GArray) with_popular = till_recommender_suggest (recommender, "M1", cart, 1, 3, TRUE);
  g_autoptr (GArray) popular = till_recommender_suggest_popular (recommender, cart, 1, 3);

  ck_assert_uint_eq (with_popular->len, 0);
  ck_assert_uint_eq (popular->len, 0);
}
END_TEST

/* /core/recommender/pairs-found: beer brings peanuts, bread brings milk, and
 * each is said to be bought together. */
START_TEST (test_pairs_found)
{
  g_autoptr (TillRecommender) recommender = trained_recommender ();
  const gint64 beer[] = { BEER };
  const gint64 bread[] = { BREAD };
  g_autoptr (GArray) after_beer = till_recommender_suggest (recommender, NULL, beer, 1, 3, FALSE);
  g_autoptr (GArray) after_bread = till_recommender_suggest (recommender, NULL, bread, 1, 3, FALSE);

  ck_assert_uint_eq (after_beer->len, 1);
  ck_assert_int_eq (NTH (after_beer, 0)->product_id, PEANUTS);
  ck_assert_int_eq (NTH (after_beer, 0)->reason, TILL_SUGGESTION_BOUGHT_TOGETHER);
  ck_assert (NTH (after_beer, 0)->score > 0);
  ck_assert_uint_ge (after_bread->len, 1);
  ck_assert_int_eq (NTH (after_bread, 0)->product_id, MILK);
  ck_assert_int_eq (NTH (after_bread, 0)->reason, TILL_SUGGESTION_BOUGHT_TOGETHER);
}
END_TEST

/* /core/recommender/minimum-support: eggs and chips together twice is
 * chance, not a rule. */
START_TEST (test_minimum_support)
{
  g_autoptr (TillRecommender) recommender = trained_recommender ();
  const gint64 eggs[] = { EGGS };
  g_autoptr (GArray) suggestions = till_recommender_suggest (recommender, NULL, eggs, 1, 3, FALSE);

  ck_assert_uint_eq (suggestions->len, 0);
  SALE (DAY0_US + 23 * G_TIME_SPAN_HOUR, NULL, EGGS, CHIPS);
  {
    g_autoptr (TillRecommender) retrained = trained_recommender ();
    g_autoptr (GArray) now = till_recommender_suggest (retrained, NULL, eggs, 1, 3, FALSE);

    ck_assert_uint_eq (now->len, 1);
    ck_assert_int_eq (NTH (now, 0)->product_id, CHIPS);
  }
}
END_TEST

/* /core/recommender/cart-items-never-suggested: not as a pair, not from
 * the member's history, not as a best seller; and no more than asked. */
START_TEST (test_cart_items_never_suggested)
{
  g_autoptr (TillRecommender) recommender = trained_recommender ();
  const gint64 cart[] = { BEER, PEANUTS, COLA, NOODLES };
  g_autoptr (GArray) suggestions = till_recommender_suggest (recommender, "M1", cart, 4, 3, TRUE);
  g_autoptr (GArray) popular = till_recommender_suggest_popular (recommender, cart, 4, 8);

  ck_assert_uint_eq (suggestions->len, 3);
  for (guint i = 0; i < G_N_ELEMENTS (cart); i++)
    {
      ck_assert_msg (!suggests (suggestions, cart[i]), "suggested %" G_GINT64_FORMAT, cart[i]);
      ck_assert_msg (!suggests (popular, cart[i]), "popular %" G_GINT64_FORMAT, cart[i]);
    }
  /* Eight products were sold, four are in the cart. */
  ck_assert_uint_eq (popular->len, 4);
  for (guint i = 0; i < suggestions->len; i++)
    for (guint j = i + 1; j < suggestions->len; j++)
      ck_assert_int_ne (NTH (suggestions, i)->product_id, NTH (suggestions, j)->product_id);
}
END_TEST

/* /core/recommender/inactive-never-suggested: a product no longer sold (or
 * gone from the catalog) since training is not suggested. */
START_TEST (test_inactive_never_suggested)
{
  g_autoptr (TillRecommender) recommender = trained_recommender ();
  const gint64 beer[] = { BEER };
  const gint64 none[] = { 0 };
  g_autoptr (GArray) before = till_recommender_suggest (recommender, NULL, beer, 1, 3, FALSE);
  g_autoptr (GArray) after = NULL;
  g_autoptr (GArray) popular = NULL;

  ck_assert (suggests (before, PEANUTS));
  exec_sql ("UPDATE product SET active = 0 WHERE id IN (102, 106)");
  after = till_recommender_suggest (recommender, NULL, beer, 1, 3, TRUE);
  popular = till_recommender_suggest_popular (recommender, none, 0, 10);
  ck_assert_uint_eq (after->len, 3);
  ck_assert (!suggests (after, PEANUTS));
  ck_assert (!suggests (after, COLA));
  ck_assert (!suggests (popular, PEANUTS));
  ck_assert (!suggests (popular, COLA));
  ck_assert_uint_eq (popular->len, 6);
}
END_TEST

/* /core/recommender/member-history-first: the member's noodles come before
 * what goes with the cart, then best sellers fill up. */
START_TEST (test_member_history_first)
{
  g_autoptr (TillRecommender) recommender = trained_recommender ();
  const gint64 beer[] = { BEER };
  g_autoptr (GArray) member = till_recommender_suggest (recommender, "M1", beer, 1, 3, TRUE);
  g_autoptr (GArray) stranger = till_recommender_suggest (recommender, "M2", beer, 1, 3, TRUE);

  ck_assert_uint_eq (member->len, 3);
  ck_assert_int_eq (NTH (member, 0)->product_id, NOODLES);
  ck_assert_int_eq (NTH (member, 0)->reason, TILL_SUGGESTION_MEMBER_HISTORY);
  ck_assert_int_eq (NTH (member, 1)->product_id, PEANUTS);
  ck_assert_int_eq (NTH (member, 1)->reason, TILL_SUGGESTION_BOUGHT_TOGETHER);
  ck_assert_int_eq (NTH (member, 2)->product_id, COLA);
  ck_assert_int_eq (NTH (member, 2)->reason, TILL_SUGGESTION_POPULAR);
  /* Bought once only (cola, bread) is not a habit. */
  ck_assert (!suggests (stranger, NOODLES));
  ck_assert_int_eq (NTH (stranger, 0)->product_id, PEANUTS);
}
END_TEST

/* /core/recommender/popular-order: by sales, ties by product id. */
START_TEST (test_popular_order)
{
  g_autoptr (TillRecommender) recommender = trained_recommender ();
  const gint64 none[] = { 0 };
  g_autoptr (GArray) popular = till_recommender_suggest_popular (recommender, none, 0, 8);

  /* cola 7, beer/peanuts/bread 5 each, chips 4, milk 4, noodles 3, eggs 2 */
  ck_assert_uint_eq (popular->len, 8);
  ck_assert_int_eq (NTH (popular, 0)->product_id, COLA);
  ck_assert_int_eq (NTH (popular, 1)->product_id, BEER);
  ck_assert_int_eq (NTH (popular, 2)->product_id, PEANUTS);
  ck_assert_int_eq (NTH (popular, 3)->product_id, BREAD);
  ck_assert_int_eq (NTH (popular, 4)->product_id, MILK);
  ck_assert_int_eq (NTH (popular, 5)->product_id, CHIPS);
  ck_assert_int_eq (NTH (popular, 6)->product_id, NOODLES);
  ck_assert_int_eq (NTH (popular, 7)->product_id, EGGS);
  for (guint i = 0; i < popular->len; i++)
    ck_assert_int_eq (NTH (popular, i)->reason, TILL_SUGGESTION_POPULAR);
}
END_TEST

/* /core/recommender/window: only sales in [since, until) are learnt, and a
 * new training replaces the old model. */
START_TEST (test_window)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillRecommender) recommender = till_recommender_new (store);
  const gint64 beer[] = { BEER };
  const gint64 bread[] = { BREAD };

  /* The beer sales are hours 1–5, the bread sales hours 6–9. */
  ck_assert (till_recommender_train (recommender, DAY0_US + 6 * G_TIME_SPAN_HOUR,
                                     DAY0_US + 10 * G_TIME_SPAN_HOUR, &error));
  {
    g_autoptr (GArray) after_beer = till_recommender_suggest (recommender, NULL, beer, 1, 3, TRUE);
    g_autoptr (GArray) after_bread =
        till_recommender_suggest (recommender, NULL, bread, 1, 3, FALSE);

    ck_assert (!suggests (after_beer, PEANUTS));
    ck_assert_uint_eq (after_beer->len, 2); /* only bread and milk were learnt */
    ck_assert_int_eq (NTH (after_bread, 0)->product_id, MILK);
  }
  ck_assert (till_recommender_train (recommender, DAY0_US, DAY0_US + 6 * G_TIME_SPAN_HOUR, &error));
  {
    g_autoptr (GArray) after_beer = till_recommender_suggest (recommender, NULL, beer, 1, 3, TRUE);
    g_autoptr (GArray) after_bread =
        till_recommender_suggest (recommender, NULL, bread, 1, 3, FALSE);

    ck_assert_int_eq (NTH (after_beer, 0)->product_id, PEANUTS);
    ck_assert_uint_eq (after_bread->len, 0);
  }
}
END_TEST

/* /core/recommender/ties-by-product-id: two equally good partners come in
 * product id order, whatever the order they were rung up in. */
START_TEST (test_ties_by_product_id)
{
  g_autoptr (TillRecommender) recommender = NULL;
  const gint64 eggs[] = { EGGS };

  add_product (201, "葱");
  add_product (202, "姜");
  for (int i = 0; i < 3; i++)
    SALE (DAY0_US + (20 + i) * G_TIME_SPAN_HOUR, NULL, EGGS, 202, 201);
  recommender = trained_recommender ();
  for (int run = 0; run < 2; run++)
    {
      g_autoptr (GArray) suggestions =
          till_recommender_suggest (recommender, NULL, eggs, 1, 3, FALSE);

      ck_assert_uint_eq (suggestions->len, 2);
      ck_assert_int_eq (NTH (suggestions, 0)->product_id, 201);
      ck_assert_int_eq (NTH (suggestions, 1)->product_id, 202);
      ck_assert (NTH (suggestions, 0)->score == NTH (suggestions, 1)->score);
    }
}
END_TEST

static Suite *
recommender_suite (void)
{
  Suite *suite = suite_create ("recommender");
  struct
  {
    const char  *name;
    const TTest *test;
  } cases[] = {
    { "/core/recommender/untrained-suggests-nothing", test_untrained_suggests_nothing },
    { "/core/recommender/pairs-found", test_pairs_found },
    { "/core/recommender/minimum-support", test_minimum_support },
    { "/core/recommender/cart-items-never-suggested", test_cart_items_never_suggested },
    { "/core/recommender/inactive-never-suggested", test_inactive_never_suggested },
    { "/core/recommender/member-history-first", test_member_history_first },
    { "/core/recommender/popular-order", test_popular_order },
    { "/core/recommender/window", test_window },
    { "/core/recommender/ties-by-product-id", test_ties_by_product_id },
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
  return till_test_run_suite (recommender_suite ());
}
