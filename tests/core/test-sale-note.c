/* test-sale-note.c: tests for src/core/till-sale-note.c
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
static TillCatalog *catalog;
static TillJournal *journal;
static TillUser    *cashier;
static char        *sale_uuid;

static void
open_all (void)
{
  g_autoptr (GError) error = NULL;

  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  cashier = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_msg (cashier != NULL, "%s", error ? error->message : "");
}

static void
close_all (void)
{
  g_clear_object (&cashier);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
}

/* One cash sale of a can of cola, recorded as the till records it. */
static char *
sell_cola (gint64 product_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) cart = till_cart_new (store, catalog);
  g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, product_id, &error);
  g_autoptr (TillSale) sale = NULL;

  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_cart_add_product (cart, product, TILL_QUANTITY_ONE, &error) != NULL, "%s",
                 error ? error->message : "");
  sale = till_sale_commit_cash (cart, journal, cashier, 1000, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  return g_strdup (till_sale_get_uuid (sale));
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  TillProductSpec spec = {
    .sku = "C001",
    .name = "可口可乐 330ml",
    .unit = "罐",
    .price = 350,
    .cost = 175,
    .vat_rate = 1300,
    .active = TRUE,
  };
  gint64 cola_id;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert (till_user_create (store, "1001", "王小丽", TILL_ROLE_CASHIER, "1234", &error) > 0);
  catalog = till_catalog_new (store);
  cola_id = till_catalog_add_product (catalog, &spec, &error);
  ck_assert_msg (cola_id > 0, "%s", error ? error->message : "");
  g_clear_object (&catalog);
  g_clear_object (&store);
  open_all ();
  sale_uuid = sell_cola (cola_id);
}

static void
teardown (void)
{
  close_all ();
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&key_path, g_free);
  g_clear_pointer (&sale_uuid, g_free);
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

static gint64
count_everything (void)
{
  return count_rows ("SELECT (SELECT count(*) FROM sale_note) + (SELECT count(*) FROM journal) + "
                     "(SELECT count(*) FROM outbox)",
                     NULL);
}

/* /core/sale-note/add: the note row, its signed journal entry and an outbox row
 * for HQ, all naming the sale; the text is kept trimmed. */
START_TEST (test_add)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) notes = NULL;
  gint64 bad_seq = 0;
  gint64 before = g_get_real_time ();
  gint64 id;

  id = till_sale_note_add (store, journal, cashier, sale_uuid, TILL_SALE_NOTE_COMPLAINT,
                           "  顾客投诉：可乐是温的  \n", &error);
  ck_assert_msg (id > 0, "%s", error ? error->message : "");
  ck_assert (!till_store_in_transaction (store));

  notes = till_sale_note_list (store, sale_uuid, &error);
  ck_assert_msg (notes != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (notes->len, 1);
  {
    TillSaleNote *note = notes->pdata[0];

    ck_assert_int_eq (note->id, id);
    ck_assert_str_eq (note->sale_uuid, sale_uuid);
    ck_assert_int_eq (note->kind, TILL_SALE_NOTE_COMPLAINT);
    ck_assert_str_eq (note->text, "顾客投诉：可乐是温的");
    ck_assert_str_eq (note->user_code, "1001");
    ck_assert_str_eq (note->user_name, "王小丽");
    ck_assert_int_ge (note->created_us, before);
  }

  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal WHERE kind = 'sale-note' AND "
                                "ref_uuid = ?1 AND instr (CAST (body AS TEXT), '可乐是温的') > 0 "
                                "AND seq = (SELECT journal_seq FROM sale_note)",
                                sale_uuid),
                    1);
  /* The outbox row is the note's own document: its uuid, naming the sale. */
  ck_assert_int_eq (
      count_rows ("SELECT count(*) FROM outbox WHERE kind = 'sale-note' AND "
                  "ref_uuid = json_extract (CAST (payload AS TEXT), '$.sale_note.uuid') "
                  "AND json_extract (CAST (payload AS TEXT), '$.sale_note.sale_uuid') "
                  "= ?1 AND ref_uuid != ?1 AND state = 'pending' AND "
                  "instr (CAST (payload AS TEXT), '\"complaint\"') > 0",
                  sale_uuid),
      1);
  ck_assert_msg (till_journal_verify (journal, &bad_seq, &error), "entry %" G_GINT64_FORMAT ": %s",
                 bad_seq, error ? error->message : "");
}
END_TEST

/* /core/sale-note/refused: empty, blank and too long texts and an unknown sale
 * are refused with their own codes, and nothing is written. */
START_TEST (test_refused)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) longest = g_string_new (NULL);
  gint64 rows = count_everything ();

  ck_assert_int_eq (till_sale_note_add (store, journal, cashier, sale_uuid,
                                        TILL_SALE_NOTE_AFTER_SALES, "", &error),
                    0);
  ck_assert_error (error, TILL_SALE_NOTE_ERROR, TILL_SALE_NOTE_ERROR_EMPTY);
  g_clear_error (&error);
  ck_assert_int_eq (till_sale_note_add (store, journal, cashier, sale_uuid,
                                        TILL_SALE_NOTE_AFTER_SALES, " \t\n ", &error),
                    0);
  ck_assert_error (error, TILL_SALE_NOTE_ERROR, TILL_SALE_NOTE_ERROR_EMPTY);
  g_clear_error (&error);

  /* Characters, not bytes, count: 500 Chinese characters fit, 501 do not. */
  for (int i = 0; i < TILL_SALE_NOTE_MAX_CHARS; i++)
    g_string_append (longest, "修");
  g_string_append (longest, "好");
  ck_assert_int_eq (till_sale_note_add (store, journal, cashier, sale_uuid,
                                        TILL_SALE_NOTE_AFTER_SALES, longest->str, &error),
                    0);
  ck_assert_error (error, TILL_SALE_NOTE_ERROR, TILL_SALE_NOTE_ERROR_TOO_LONG);
  g_clear_error (&error);

  ck_assert_int_eq (till_sale_note_add (store, journal, cashier,
                                        "00000000-0000-4000-8000-000000000000",
                                        TILL_SALE_NOTE_AFTER_SALES, "换货", &error),
                    0);
  ck_assert_error (error, TILL_SALE_NOTE_ERROR, TILL_SALE_NOTE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  ck_assert (!till_store_in_transaction (store));
  ck_assert_int_eq (count_everything (), rows);

  /* The longest allowed note goes in whole. */
  g_string_truncate (longest, longest->len - strlen ("好"));
  ck_assert_msg (till_sale_note_add (store, journal, cashier, sale_uuid, TILL_SALE_NOTE_AFTER_SALES,
                                     longest->str, &error) > 0,
                 "%s", error ? error->message : "");
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM sale_note WHERE text = ?1", longest->str), 1);
}
END_TEST

/* /core/sale-note/order-and-reopen: notes come back oldest first, only the
 * sale's own, and are still there after the till restarts. */
START_TEST (test_order_and_reopen)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) notes = NULL;
  g_autoptr (GPtrArray) none = NULL;
  const char *const texts[] = { "屏幕有划痕", "已联系厂家维修", "顾客已取回" };
  const TillSaleNoteKind kinds[] = { TILL_SALE_NOTE_COMPLAINT, TILL_SALE_NOTE_AFTER_SALES,
                                     TILL_SALE_NOTE_AFTER_SALES };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    ck_assert_msg (
        till_sale_note_add (store, journal, cashier, sale_uuid, kinds[i], texts[i], &error) > 0,
        "%s", error ? error->message : "");
  /* HQ takes each document once by kind and uuid: three notes on one sale
   * are three documents, or the second would come back as a conflict. */
  ck_assert_int_eq (
      count_rows ("SELECT count(DISTINCT ref_uuid) FROM outbox WHERE kind = 'sale-note'", NULL),
      G_N_ELEMENTS (texts));
  close_all ();
  open_all ();

  notes = till_sale_note_list (store, sale_uuid, &error);
  ck_assert_msg (notes != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (notes->len, G_N_ELEMENTS (texts));
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      TillSaleNote *note = notes->pdata[i];

      ck_assert_str_eq (note->text, texts[i]);
      ck_assert_int_eq (note->kind, kinds[i]);
      if (i > 0)
        ck_assert_int_gt (note->id, ((TillSaleNote *) notes->pdata[i - 1])->id);
    }
  none = till_sale_note_list (store, "00000000-0000-4000-8000-000000000000", &error);
  ck_assert_ptr_nonnull (none);
  ck_assert_uint_eq (none->len, 0);
}
END_TEST

/* /core/sale-note/kinds: stored names and screen labels. */
START_TEST (test_kinds)
{
  ck_assert_str_eq (till_sale_note_kind_to_string (TILL_SALE_NOTE_COMPLAINT), "complaint");
  ck_assert_str_eq (till_sale_note_kind_to_string (TILL_SALE_NOTE_AFTER_SALES), "after-sales");
  ck_assert_str_ne (till_sale_note_kind_get_label (TILL_SALE_NOTE_COMPLAINT), "");
  ck_assert_str_ne (till_sale_note_kind_get_label (TILL_SALE_NOTE_COMPLAINT),
                    till_sale_note_kind_get_label (TILL_SALE_NOTE_AFTER_SALES));
}
END_TEST

static Suite *
sale_note_suite (void)
{
  Suite *suite = suite_create ("/core/sale-note");
  TCase *tcase = tcase_create ("/core/sale-note");

  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_add_test (tcase, test_add);
  tcase_add_test (tcase, test_refused);
  tcase_add_test (tcase, test_order_and_reopen);
  tcase_add_test (tcase, test_kinds);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (sale_note_suite ());
}
