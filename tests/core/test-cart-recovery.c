/* test-cart-recovery.c: a till killed at any moment loses no cart and sells nothing
 * twice (src/core/till-cart.c and till-sale.c under SIGKILL)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "till-core.h"
#include "till-test-util.h"

static char  *scratch;
static char  *db_path;
static char  *key_path;
static gint64 product_ids[4]; /* three counted, one weighed */

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillCatalog) catalog = NULL;
  g_autoptr (TillJournal) journal = NULL;
  static const TillProductSpec specs[] = {
    { .sku = "C001",
      .name = "可口可乐 330ml",
      .unit = "罐",
      .price = 350,
      .vat_rate = 1300,
      .active = TRUE },
    { .sku = "C002",
      .name = "农夫山泉 550ml",
      .unit = "瓶",
      .price = 200,
      .vat_rate = 1300,
      .active = TRUE },
    { .sku = "C003",
      .name = "乐事薯片 70g",
      .unit = "袋",
      .price = 1280,
      .vat_rate = 1300,
      .active = TRUE },
    { .sku = "F001",
      .name = "红富士苹果",
      .unit = "kg",
      .price = 598,
      .vat_rate = 900,
      .weighed = TRUE,
      .active = TRUE },
  };

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);

  /* The parent sets the shop up and closes it again before any child opens it. */
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      product_ids[i] = till_catalog_add_product (catalog, &specs[i], &error);
      ck_assert_msg (product_ids[i] > 0, "%s", error ? error->message : "");
    }
  ck_assert (till_user_create (store, "1001", "张三", TILL_ROLE_CASHIER, "1234", &error) > 0);
}

static void
teardown (void)
{
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&key_path, g_free);
}

/* In the child: gives up with a distinct exit status, which the parent reports. */
#define CHILD_CHECK(cond)                                                 \
  G_STMT_START                                                            \
  {                                                                       \
    if (!(cond))                                                          \
      {                                                                   \
        g_printerr ("child: %s failed at line %d: %s\n", #cond, __LINE__, \
                    error ? error->message : "");                         \
        _exit (3);                                                        \
      }                                                                   \
  }                                                                       \
  G_STMT_END

static void
child_add (TillCatalog *catalog, TillCart *cart, gint64 id, gint64 quantity)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, id, &error);

  CHILD_CHECK (product != NULL);
  CHILD_CHECK (till_cart_add_product (cart, product, quantity, &error) != NULL);
}

static void
write_line (int fd, const char *text)
{
  g_autofree char *line = g_strconcat (text, "\n", NULL);
  gsize            len = strlen (line);

  if (write (fd, line, len) != (ssize_t) len)
    _exit (4);
}

static char *
read_line (int fd)
{
  GString *line = g_string_new (NULL);
  char     c;

  while (read (fd, &c, 1) == 1 && c != '\n')
    g_string_append_c (line, c);
  return g_string_free (line, FALSE);
}

/* Runs @child_main in a forked process that reports through a pipe; returns the
 * first line it writes, then kills it with SIGKILL and reaps it. */
static char *
run_child_and_kill (void (*child_main) (int fd))
{
  int   fds[2];
  pid_t pid;
  int   status = 0;
  char *reported;

  ck_assert_int_eq (pipe (fds), 0);
  pid = fork ();
  ck_assert_int_ge (pid, 0);
  if (pid == 0)
    {
      close (fds[0]);
      child_main (fds[1]);
      /* Wait to be killed, holding the store open: nothing is closed cleanly. */
      for (;;)
        pause ();
    }
  close (fds[1]);
  reported = read_line (fds[0]);
  close (fds[0]);
  ck_assert_int_eq (kill (pid, SIGKILL), 0);
  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  ck_assert_msg (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL,
                 "the child ended on its own (status %d) before it was killed", status);
  ck_assert_str_ne (reported, "");
  return reported;
}

static void
cart_child (int fd)
{
  g_autoptr (GError) error = NULL;
  TillStore       *store = till_store_open (db_path, &error);
  TillCatalog     *catalog;
  TillCart        *cart;
  g_autofree char *report = NULL;

  CHILD_CHECK (store != NULL);
  catalog = till_catalog_new (store);
  cart = till_cart_new (store, catalog);
  CHILD_CHECK (till_cart_restore (cart, &error));
  child_add (catalog, cart, product_ids[0], 1000);
  child_add (catalog, cart, product_ids[3], 457);
  child_add (catalog, cart, product_ids[2], 2000);
  child_add (catalog, cart, product_ids[0], 1000);
  CHILD_CHECK (till_cart_set_quantity (cart, 2, 3000, &error));
  child_add (catalog, cart, product_ids[1], 1000);
  CHILD_CHECK (till_cart_remove_line (cart, 3, &error));

  report = g_strdup_printf ("%s %" G_GINT64_FORMAT " %u", till_cart_get_sale_uuid (cart),
                            till_cart_get_total (cart), till_cart_get_n_lines (cart));
  write_line (fd, report);
}

/* /core/cart-recovery/killed-with-cart: the same cart comes back */
START_TEST (test_killed_with_cart)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *reported = run_child_and_kill (cart_child);
  g_auto (GStrv) parts = g_strsplit (reported, " ", -1);
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillCatalog) catalog = NULL;
  g_autoptr (TillCart) cart = NULL;
  static const gint64 expected[][2] = { { 0, 2000 }, { 3, 457 }, { 2, 3000 } };

  ck_assert_uint_eq (g_strv_length (parts), 3);

  /* The dead child's lock is gone with it. */
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  cart = till_cart_new (store, catalog);
  ck_assert_msg (till_cart_restore (cart, &error), "%s", error ? error->message : "");

  ck_assert_str_eq (till_cart_get_sale_uuid (cart), parts[0]);
  ck_assert_int_eq (till_cart_get_total (cart), g_ascii_strtoll (parts[1], NULL, 10));
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 3);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), g_ascii_strtoull (parts[2], NULL, 10));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      TillCartLine *line = till_cart_get_line (cart, i);

      ck_assert_int_eq (till_product_get_id (till_cart_line_get_product (line)),
                        product_ids[expected[i][0]]);
      ck_assert_int_eq (till_cart_line_get_quantity (line), expected[i][1]);
    }
  ck_assert_int_eq (till_cart_get_total (cart), 700 + 273 + 3840);
}
END_TEST

static void
sale_child (int fd)
{
  g_autoptr (GError) error = NULL;
  TillStore       *store = till_store_open (db_path, &error);
  TillCatalog     *catalog;
  TillJournal     *journal;
  TillCart        *cart;
  TillUser        *cashier;
  TillSale        *sale;
  g_autofree char *report = NULL;

  CHILD_CHECK (store != NULL);
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  CHILD_CHECK (journal != NULL);
  cashier = till_user_authenticate (store, "1001", "1234", &error);
  CHILD_CHECK (cashier != NULL);
  cart = till_cart_new (store, catalog);
  CHILD_CHECK (till_cart_restore (cart, &error));
  child_add (catalog, cart, product_ids[0], 2000);
  child_add (catalog, cart, product_ids[3], 800);
  report = g_strdup (till_cart_get_sale_uuid (cart));
  sale = till_sale_commit_cash (cart, journal, cashier, 2000, &error);
  CHILD_CHECK (sale != NULL);
  CHILD_CHECK (g_str_equal (till_sale_get_uuid (sale), report));
  write_line (fd, report);
}

/* /core/cart-recovery/killed-after-sale: the sale is there and the cart is empty */
START_TEST (test_killed_after_sale)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sold_uuid = run_child_and_kill (sale_child);
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillCatalog) catalog = NULL;
  g_autoptr (TillJournal) journal = NULL;
  g_autoptr (TillCart) cart = NULL;
  g_autoptr (TillSale) sale = NULL;
  gint64 bad_seq = 0;

  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  sale = till_sale_load (store, sold_uuid, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (till_sale_get_n_lines (sale), 2);
  ck_assert_int_eq (till_sale_get_total (sale), 700 + 478);

  catalog = till_catalog_new (store);
  cart = till_cart_new (store, catalog);
  ck_assert_msg (till_cart_restore (cart, &error), "%s", error ? error->message : "");
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);
  ck_assert_str_ne (till_cart_get_sale_uuid (cart), sold_uuid);

  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_journal_verify (journal, &bad_seq, &error), "%s",
                 error ? error->message : "");
}
END_TEST

static void
selling_child (int fd)
{
  g_autoptr (GError) error = NULL;
  TillStore   *store = till_store_open (db_path, &error);
  TillCatalog *catalog;
  TillJournal *journal;
  TillCart    *cart;
  TillUser    *cashier;

  CHILD_CHECK (store != NULL);
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  CHILD_CHECK (journal != NULL);
  cashier = till_user_authenticate (store, "1001", "1234", &error);
  CHILD_CHECK (cashier != NULL);
  cart = till_cart_new (store, catalog);
  CHILD_CHECK (till_cart_restore (cart, &error));
  write_line (fd, "selling");

  /* Sell until killed, at whatever step that happens to be. */
  for (guint i = 0;; i++)
    {
      TillSale *sale;

      child_add (catalog, cart, product_ids[i % 3], 1000);
      child_add (catalog, cart, product_ids[3], 100 + i % 900);
      child_add (catalog, cart, product_ids[(i + 1) % 3], 1000);
      sale = till_sale_commit_cash (cart, journal, cashier, 100000, &error);
      CHILD_CHECK (sale != NULL);
      g_object_unref (sale);
    }
}

/* /core/cart-recovery/killed-while-selling: wherever the kill lands, a cart and
 * the sale made from it never both survive, and the journal holds */
START_TEST (test_killed_while_selling)
{
  for (int round = 0; round < 4; round++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *reported = NULL;
      g_autoptr (TillStore) store = NULL;
      g_autoptr (TillCatalog) catalog = NULL;
      g_autoptr (TillJournal) journal = NULL;
      g_autoptr (TillCart) cart = NULL;
      g_autoptr (sqlite3_stmt) stmt = NULL;
      gint64 bad_seq = 0;
      int    fds[2];
      pid_t  pid;
      int    status;

      ck_assert_int_eq (pipe (fds), 0);
      pid = fork ();
      ck_assert_int_ge (pid, 0);
      if (pid == 0)
        {
          close (fds[0]);
          selling_child (fds[1]);
          _exit (0);
        }
      close (fds[1]);
      reported = read_line (fds[0]);
      close (fds[0]);
      ck_assert_str_eq (reported, "selling");
      g_usleep (g_random_int_range (20, 200) * 1000);
      ck_assert_int_eq (kill (pid, SIGKILL), 0);
      ck_assert_int_eq (waitpid (pid, &status, 0), pid);
      ck_assert (WIFSIGNALED (status));

      store = till_store_open (db_path, &error);
      ck_assert_msg (store != NULL, "%s", error ? error->message : "");
      sqlite3_prepare_v2 (
          till_store_get_db (store),
          "SELECT (SELECT count(*) FROM cart c JOIN sale s ON s.uuid = c.sale_uuid),"
          " (SELECT count(*) FROM sale),"
          " (SELECT count(*) FROM sale s JOIN journal j ON j.seq = s.journal_seq),"
          " (SELECT count(*) FROM outbox),"
          " (SELECT count(DISTINCT sale_uuid) FROM payment)",
          -1, &stmt, NULL);
      ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
      ck_assert_int_eq (sqlite3_column_int (stmt, 0), 0);
      ck_assert_int_eq (sqlite3_column_int (stmt, 2), sqlite3_column_int (stmt, 1));
      ck_assert_int_eq (sqlite3_column_int (stmt, 3), sqlite3_column_int (stmt, 1));
      ck_assert_int_eq (sqlite3_column_int (stmt, 4), sqlite3_column_int (stmt, 1));

      journal = till_journal_new (store, key_path, &error);
      ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
      ck_assert_msg (till_journal_verify (journal, &bad_seq, &error), "%s",
                     error ? error->message : "");

      /* Whatever cart was left restores. */
      catalog = till_catalog_new (store);
      cart = till_cart_new (store, catalog);
      ck_assert_msg (till_cart_restore (cart, &error), "%s", error ? error->message : "");
    }
}
END_TEST

static Suite *
cart_recovery_suite (void)
{
  Suite *suite = suite_create ("core/cart-recovery");
  TCase *tc = tcase_create ("kill");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_killed_with_cart);
  tcase_add_test (tc, test_killed_after_sale);
  tcase_add_test (tc, test_killed_while_selling);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (cart_recovery_suite ());
}
