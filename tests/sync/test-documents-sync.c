/* test-documents-sync.c: every kind of document a till queues reaches HQ
 * and is acknowledged: sales, complaint notes, members and stored-value
 * top-ups (HQ once refused the notes, whose uuid it looked for in the
 * wrong member, and knew nothing of members and top-ups, which stopped the
 * till's push at the first one)
 *
 * A real opentill-hq process on loopback (tests/sync/till-sync-test-util)
 * and a real till database, enrolled and synced with the till's own calls.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "till-core.h"
#include "till-sync-test-util.h"
#include "till-test-util.h"

/* /sync/documents/all-kinds: a sale, a note on it, a member registered and
 * topped up: after a sync nothing is pending and HQ holds each document
 * once, under the uuid the till gave it */
START_TEST (test_all_kinds)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *scratch = till_test_make_tmpdir ();
  g_autofree char *hq_dir = g_build_filename (scratch, "hq", NULL);
  g_autofree char *till_dir = g_build_filename (scratch, "till", NULL);
  g_autofree char *key_path = g_build_filename (scratch, "member.key", NULL);
  g_autofree char *token = NULL;
  g_autofree char *sale_uuid = NULL;
  g_autoptr (TillMemberKey) key = NULL;
  g_autoptr (TillMember) member = NULL;
  g_autoptr (TillStoredValueAccount) account = NULL;
  TillMemberSpec spec = { .phone = "139 1234 5678", .name = "钱多多" };
  const char    *kinds[] = { "sale", "sale-note", "member", "sv-top-up" };
  TillTestHq    *hq;
  TillTestTill  *till;

  g_mkdir_with_parents (hq_dir, 0700);
  hq = till_test_hq_new (hq_dir, NULL, &error);
  ck_assert_msg (hq != NULL, "%s", error ? error->message : "");
  ck_assert (hq_store_put_store (hq->store, "S001", "上海徐汇店", NULL, &error));
  ck_assert_msg (till_test_hq_start (hq, 0, &error), "%s", error ? error->message : "");
  token = till_test_hq_token (hq, "S001", 1);
  till = till_test_till_new (till_dir, &error);
  ck_assert_msg (till != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_test_till_enroll (till, hq->url, token, &error), "%s",
                 error ? error->message : "");

  /* One of each. */
  sale_uuid = till_test_till_sell_sku (till, "T001", &error);
  ck_assert_msg (sale_uuid != NULL, "%s", error ? error->message : "");
  ck_assert (till_sale_note_add (till->store, till->journal, till->cashier, sale_uuid,
                                 TILL_SALE_NOTE_COMPLAINT, "顾客说找零少了一元", &error) > 0);
  key = till_member_key_load_or_create (key_path, &error);
  ck_assert_msg (key != NULL, "%s", error ? error->message : "");
  member = till_member_register (till->store, till->journal, key, till->cashier, &spec, &error);
  ck_assert_msg (member != NULL, "%s", error ? error->message : "");
  account = till_stored_value_top_up (till->store, till->journal, till->cashier, member->id, 10000,
                                      "cash", &error);
  ck_assert_msg (account != NULL, "%s", error ? error->message : "");

  ck_assert_msg (till_test_till_drain (till, 10, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (till_test_till_pending (till), 0);

  /* HQ holds each once, under the till's uuid for it. */
  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr (GHashTable) refs = till_test_hq_document_refs (hq, kinds[k]);
      g_autofree char *queued = g_strdup_printf (
          "%" G_GINT64_FORMAT,
          till_test_till_query_int (till, "SELECT count(*) FROM outbox WHERE kind = ?1", kinds[k]));

      ck_assert_msg (g_hash_table_size (refs) == 1, "HQ holds %u %s documents",
                     g_hash_table_size (refs), kinds[k]);
      ck_assert_str_eq (queued, "1");
    }
  {
    g_autoptr (GHashTable) sales = till_test_hq_document_refs (hq, "sale");

    ck_assert (g_hash_table_contains (sales, sale_uuid));
  }

  till_test_till_close (till);
  till_test_hq_free (hq);
  till_test_remove_tree (scratch);
}
END_TEST

static Suite *
documents_suite (void)
{
  Suite *suite = suite_create ("documents");
  TCase *tc = tcase_create ("documents");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_all_kinds);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (documents_suite ());
}
