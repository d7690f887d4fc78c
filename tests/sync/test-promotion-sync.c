/* test-promotion-sync.c: promotions set at HQ reach the tills of their scope
 * and price their carts; removed at HQ, they leave the tills
 *
 * A real HQ (libhq: HqStore on SQLite, HqCa, HqServer) serves on a thread of
 * its own (tests/common/till-hq-thread.c), because the till's sync client
 * blocks; the test keeps a second HqStore connection to set promotions as
 * opentill-hq promotion does. The till is a real till database, enrolled
 * and synced with the till's own calls.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "till-core.h"
#include "till-enroll.h"
#include "till-hq-thread.h"
#include "till-sync.h"
#include "till-test-util.h"

/* The till's store S001 is in group G1; S002 is in G2. */
#define TILL_STORE "S001"
#define TILL_GROUP "G1"

/* The product the promotions are for: ¥10.00 at the till. */
#define TEA_SKU "T001"
#define TEA_PRICE 1000

/* 20% off the tea, for the stores of G1. */
static const char group_promotion[] =
    "{\"code\":\"P-G1-TEA\",\"name\":\"绿茶八折\",\"kind\":\"percent-off\","
    "\"percent_bp\":2000,\"skus\":[\"" TEA_SKU "\"]}";
/* Half off the tea, for store S002 only: never for this till. */
static const char other_store_promotion[] =
    "{\"code\":\"P-S002-TEA\",\"name\":\"绿茶半价\",\"kind\":\"percent-off\","
    "\"percent_bp\":5000,\"skus\":[\"" TEA_SKU "\"]}";

static char         *scratch;
static TillHqThread *hq;
static HqStore      *hq_store; /* the test's own connection to HQ's database */

static char        *till_dir;
static TillStore   *store;
static TillCatalog *catalog;
static TillJournal *journal;
static gint64       tea_id;

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hq_dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *token = NULL;
  g_autoptr (TillSyncIdentity) identity = NULL;
  TillProductSpec tea = {
    .sku = TEA_SKU,
    .name = "康师傅绿茶 500ml",
    .unit = "瓶",
    .price = TEA_PRICE,
    .cost = 500,
    .vat_rate = 1300,
    .active = TRUE,
  };

  scratch = till_test_make_tmpdir ();
  hq_dir = g_build_filename (scratch, "hq", NULL);
  hq = till_hq_thread_start (hq_dir, NULL, 0, &error);
  ck_assert_msg (hq != NULL, "HQ did not start: %s", error ? error->message : "");
  hq_store = till_hq_thread_open_store (hq, &error);
  ck_assert_msg (hq_store != NULL, "%s", error ? error->message : "");
  ck_assert_msg (hq_store_put_group (hq_store, TILL_GROUP, "华东区", &error) &&
                     hq_store_put_group (hq_store, "G2", "华南区", &error) &&
                     hq_store_put_store (hq_store, TILL_STORE, "上海徐汇店", TILL_GROUP, &error) &&
                     hq_store_put_store (hq_store, "S002", "广州天河店", "G2", &error),
                 "%s", error ? error->message : "");

  till_dir = g_build_filename (scratch, "till", NULL);
  ck_assert_int_eq (g_mkdir_with_parents (till_dir, 0700), 0);
  db_path = g_build_filename (till_dir, "till.db", NULL);
  key_path = g_build_filename (till_dir, "till.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  tea_id = till_catalog_add_product (catalog, &tea, &error);
  ck_assert_msg (tea_id > 0, "%s", error ? error->message : "");

  token = till_hq_thread_make_token (hq, TILL_STORE, 1, G_TIME_SPAN_HOUR, &error);
  ck_assert_msg (token != NULL, "%s", error ? error->message : "");
  identity = till_enroll (store, journal, till_hq_thread_get_url (hq), token, till_dir, &error);
  ck_assert_msg (identity != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (identity->store_id, TILL_STORE);
}

static void
teardown (void)
{
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
  g_clear_object (&hq_store);
  g_clear_pointer (&hq, till_hq_thread_stop);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&till_dir, g_free);
}

/* As opentill-hq promotion set FILE --scope @scope does. */
static void
hq_set_promotion (const char *json, const char *scope)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = json_from_string (json, &error);

  ck_assert_msg (node != NULL, "%s", error ? error->message : "");
  ck_assert_msg (hq_store_set_promotions (hq_store, node, scope, NULL, &error), "%s",
                 error ? error->message : "");
}

static void
hq_remove_promotion (const char *code)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) removed = hq_store_remove_promotion (hq_store, code, NULL, &error);

  ck_assert_msg (removed != NULL, "%s", error ? error->message : "");
}

/* One sync round of the till: push, then pull every channel to its end. */
static void
till_sync (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncClient) client = till_sync_client_new_for_store (store, 30, &error);

  ck_assert_msg (client != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_sync_run (store, journal, client, NULL, &error), "%s",
                 error ? error->message : "");
}

/* The codes till_promotion_load_all gives for the till's store and group,
 * joined by commas in its order ("" for none). */
static char *
till_promotion_codes (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) promotions =
      till_promotion_load_all (store, TILL_STORE, TILL_GROUP, &error);
  g_autoptr (GString) codes = g_string_new (NULL);

  ck_assert_msg (promotions != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < promotions->len; i++)
    {
      const TillPromotion *promotion = g_ptr_array_index (promotions, i);

      g_string_append_printf (codes, "%s%s", i > 0 ? "," : "", promotion->code);
    }
  return g_string_free (g_steal_pointer (&codes), FALSE);
}

static gint64
till_count (const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStmt) stmt = till_store_prepare (store, sql, &error);

  ck_assert_msg (stmt != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* A cart with two teas, repriced with the promotions the till holds now. */
static TillCart *
cart_with_two_teas (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, tea_id, &error);
  TillCart *cart = till_cart_new (store, catalog);

  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_cart_add_product (cart, product, 2 * TILL_QUANTITY_ONE, &error) != NULL, "%s",
                 error ? error->message : "");
  ck_assert_msg (till_cart_reload_promotions (cart, &error), "%s", error ? error->message : "");
  return cart;
}

static gboolean
pricing_applied (TillCart *cart, const char *code)
{
  const TillPricingResult *pricing = till_cart_get_pricing (cart);

  for (guint i = 0; i < pricing->applied->len; i++)
    {
      const TillPricingApplied *applied = g_ptr_array_index (pricing->applied, i);

      if (g_strcmp0 (applied->code, code) == 0)
        return TRUE;
    }
  return FALSE;
}

/* /sync/promotion/group-set-and-removed: a promotion HQ sets for the till's
 * group reaches the till at its next pull (HQ sends it group-scoped), the
 * till loads it and its cart prices with it; a promotion for another store
 * never reaches it; removed at HQ, the promotion leaves the till's list and
 * its cart at the next pull. */
START_TEST (test_group_set_and_removed)
{
  g_autoptr (TillCart) cart = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after_set = NULL;
  g_autofree char *after_remove = NULL;

  till_sync ();
  before = till_promotion_codes ();
  ck_assert_str_eq (before, "");

  hq_set_promotion (group_promotion, "group:" TILL_GROUP);
  hq_set_promotion (other_store_promotion, "store:S002");
  till_sync ();

  /* HQ sent the group's row with its group scope, and nothing of S002. */
  ck_assert_int_eq (till_count ("SELECT count(*) FROM master_row WHERE channel = 'promotions' "
                                "AND id = 'P-G1-TEA' AND scope = 'group:" TILL_GROUP "'"),
                    1);
  ck_assert_int_eq (till_count ("SELECT count(*) FROM master_row WHERE channel = 'promotions' "
                                "AND (id = 'P-S002-TEA' OR scope = 'store:S002')"),
                    0);
  after_set = till_promotion_codes ();
  ck_assert_str_eq (after_set, "P-G1-TEA");

  /* The cart finds its store and group by itself and takes 20% off the
   * two teas: ¥4.00 of ¥20.00. */
  cart = cart_with_two_teas ();
  ck_assert (pricing_applied (cart, "P-G1-TEA"));
  ck_assert (!pricing_applied (cart, "P-S002-TEA"));
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 2 * TEA_PRICE * 2000 / 10000);
  ck_assert_int_eq (till_cart_get_pricing (cart)->total, 2 * TEA_PRICE - 400);

  /* HQ removes it: after the next pull the till has no promotion left and
   * the same cart, repriced, saves nothing. */
  hq_remove_promotion ("P-G1-TEA");
  till_sync ();
  ck_assert_int_eq (till_count ("SELECT count(*) FROM master_row WHERE channel = 'promotions'"), 0);
  after_remove = till_promotion_codes ();
  ck_assert_str_eq (after_remove, "");
  {
    g_autoptr (GError) error = NULL;

    ck_assert_msg (till_cart_reload_promotions (cart, &error), "%s", error ? error->message : "");
  }
  ck_assert (!pricing_applied (cart, "P-G1-TEA"));
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 0);
  ck_assert_int_eq (till_cart_get_pricing (cart)->total, 2 * TEA_PRICE);
}
END_TEST

/* /sync/promotion/update: HQ sets the same code again with other figures;
 * the till holds one copy, the new one, and prices with it. */
START_TEST (test_update)
{
  g_autoptr (TillCart) cart = NULL;
  g_autofree char *codes = NULL;

  hq_set_promotion (group_promotion, "group:" TILL_GROUP);
  till_sync ();
  hq_set_promotion ("{\"code\":\"P-G1-TEA\",\"name\":\"绿茶七折\",\"kind\":\"percent-off\","
                    "\"percent_bp\":3000,\"skus\":[\"" TEA_SKU "\"]}",
                    "group:" TILL_GROUP);
  till_sync ();

  codes = till_promotion_codes ();
  ck_assert_str_eq (codes, "P-G1-TEA");
  cart = cart_with_two_teas ();
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 2 * TEA_PRICE * 3000 / 10000);
}
END_TEST

/* The codes till_promotion_load_all gives for the store and group the till
 * reads for itself (till_promotion_read_scope), and that group ("" for
 * none) in *out_group. */
static char *
till_promotion_codes_here (char **out_group)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *store_id = NULL;
  g_autofree char *group_id = NULL;
  g_autoptr (GPtrArray) promotions = NULL;
  g_autoptr (GString) codes = g_string_new (NULL);

  ck_assert_msg (till_promotion_read_scope (store, &store_id, &group_id, &error), "%s",
                 error ? error->message : "");
  ck_assert_str_eq (store_id, TILL_STORE);
  promotions = till_promotion_load_all (store, store_id, group_id, &error);
  ck_assert_msg (promotions != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < promotions->len; i++)
    {
      const TillPromotion *promotion = g_ptr_array_index (promotions, i);

      g_string_append_printf (codes, "%s%s", i > 0 ? "," : "", promotion->code);
    }
  *out_group = group_id != NULL ? g_steal_pointer (&group_id) : g_strdup ("");
  return g_string_free (g_steal_pointer (&codes), FALSE);
}

/* 10% off the tea for every store, on the condition of being in G1. */
static const char all_for_g1_promotion[] =
    "{\"code\":\"P-ALL-G1\",\"name\":\"华东绿茶九折\",\"kind\":\"percent-off\","
    "\"percent_bp\":1000,\"skus\":[\"" TEA_SKU "\"],\"store_groups\":[\"" TILL_GROUP "\"]}";

/* /sync/promotion/group-without-group-rows: HQ holds no group-scoped row
 * at all, only a promotion for all stores whose store_groups condition
 * names G1: the till knows it is in G1 from HQ's store.group setting, so
 * the promotion applies to its cart. */
START_TEST (test_group_without_group_rows)
{
  g_autoptr (TillCart) cart = NULL;
  g_autofree char *codes = NULL;
  g_autofree char *group = NULL;

  hq_set_promotion (all_for_g1_promotion, "all");
  till_sync ();
  ck_assert_int_eq (till_count ("SELECT count(*) FROM master_row WHERE scope LIKE 'group:%'"), 0);
  codes = till_promotion_codes_here (&group);
  ck_assert_str_eq (group, TILL_GROUP);
  ck_assert_str_eq (codes, "P-ALL-G1");

  /* 10% of ¥20.00. */
  cart = cart_with_two_teas ();
  ck_assert (pricing_applied (cart, "P-ALL-G1"));
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 2 * TEA_PRICE * 1000 / 10000);
}
END_TEST

/* 30% off the tea for the stores of G2, set before the till's store moves
 * there: its version is older than the till's cursor. */
static const char g2_promotion[] =
    "{\"code\":\"P-G2-TEA\",\"name\":\"华南绿茶七折\",\"kind\":\"percent-off\","
    "\"percent_bp\":3000,\"skus\":[\"" TEA_SKU "\"]}";

/* /sync/promotion/store-moved: HQ moves the till's store from G1 to G2
 * (as opentill-hq store add does); after its next sync the till reads G2,
 * G1's promotion is gone from its rows and list (HQ sends no tombstone for
 * a scope the till left), G2's promotion HQ set before the move is there
 * (the drift check brings what the cursor had passed), and the list and
 * the cart have G2's alone: the condition store_groups G1 no longer holds
 * for the promotion for all stores. */
START_TEST (test_store_moved)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) cart = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *group = NULL;

  hq_set_promotion (group_promotion, "group:" TILL_GROUP);
  hq_set_promotion (g2_promotion, "group:G2");
  hq_set_promotion (all_for_g1_promotion, "all");
  till_sync ();
  before = till_promotion_codes_here (&group);
  ck_assert_str_eq (group, TILL_GROUP);
  ck_assert_str_eq (before, "P-ALL-G1,P-G1-TEA");
  g_clear_pointer (&group, g_free);

  ck_assert_msg (hq_store_put_store (hq_store, TILL_STORE, "上海徐汇店", "G2", &error), "%s",
                 error ? error->message : "");
  till_sync ();

  ck_assert_int_eq (till_count ("SELECT count(*) FROM master_row WHERE scope = 'group:G1'"), 0);
  ck_assert_int_eq (till_count ("SELECT count(*) FROM master_row WHERE channel = 'promotions' "
                                "AND id = 'P-G2-TEA' AND scope = 'group:G2'"),
                    1);
  after = till_promotion_codes_here (&group);
  ck_assert_str_eq (group, "G2");
  /* P-ALL-G1 is still held (scope all) but can no longer apply here. */
  ck_assert_int_eq (till_count ("SELECT count(*) FROM master_row WHERE channel = 'promotions' "
                                "AND id = 'P-ALL-G1' AND scope = 'all'"),
                    1);
  ck_assert_str_eq (after, "P-G2-TEA");

  cart = cart_with_two_teas ();
  ck_assert (pricing_applied (cart, "P-G2-TEA"));
  ck_assert (!pricing_applied (cart, "P-G1-TEA"));
  ck_assert (!pricing_applied (cart, "P-ALL-G1"));
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 2 * TEA_PRICE * 3000 / 10000);
}
END_TEST

/* The example file of docs/operating-hq.md ("Promotions"), word for word. */
static const char documented_example[] =
    "[\n"
    "  {\"code\": \"P2026-001\", \"name\": \"满100减10\", \"kind\": \"threshold\",\n"
    "   \"tiers\": [{\"min_amount\": 10000, \"amount_off\": 1000}],\n"
    "   \"stacking\": \"exclusive-group\", \"stacking_group\": \"满减\", \"priority\": 10,\n"
    "   \"valid_from_us\": 1767196800000000, \"valid_until_us\": 1798732800000000},\n"
    "  {\"code\": \"P2026-002\", \"name\": \"可口可乐 第二件半价\", \"kind\": \"nth-item\",\n"
    "   \"nth_item\": 2, \"percent_bp\": 5000, \"skus\": [\"100002\"]},\n"
    "  {\"code\": \"P2026-003\", \"name\": \"周末夜场 全场九折\", \"kind\": \"sale-discount\",\n"
    "   \"percent_bp\": 1000, \"weekdays\": [6, 7],\n"
    "   \"windows\": [{\"start\": \"20:00\", \"end\": \"02:00\"}], \"member_only\": true}\n"
    "]\n";

/* /sync/promotion/documented-example: the guide's example passes HQ's
 * checks and the till's (till_promotion_load_all leaves out what the till
 * refuses), so store IT can start from it. */
START_TEST (test_documented_example)
{
  g_autofree char *codes = NULL;
  g_autofree char *guide_path = till_test_source_path ("docs/operating-hq.md");
  g_autofree char *guide = NULL;

  /* The guide still shows this example (its first and last lines). */
  ck_assert (g_file_get_contents (guide_path, &guide, NULL, NULL));
  ck_assert_ptr_nonnull (strstr (guide, "{\"code\": \"P2026-001\", \"name\": \"满100减10\""));
  ck_assert_ptr_nonnull (
      strstr (guide, "\"windows\": [{\"start\": \"20:00\", \"end\": \"02:00\"}]"));

  hq_set_promotion (documented_example, "group:" TILL_GROUP);
  till_sync ();
  codes = till_promotion_codes ();
  /* By priority (highest first), then code. */
  ck_assert_str_eq (codes, "P2026-001,P2026-002,P2026-003");
}
END_TEST

/* /sync/promotion/till-format-accepted: what the till writes
 * (till_promotion_to_json) passes HQ's checks, for every kind and with
 * every member the till writes set, and every kind name the till knows is
 * one HQ knows: HQ keeps its own copy of these names (it never links the
 * till's core), and this is where the two copies are held to agree. */
START_TEST (test_till_format_accepted)
{
  g_autoptr (TillPromotion) rich = till_promotion_new ("P-RICH", "周末夜场满减", 0);
  TillPromotionTier   tier = { .min_amount = 10000, .amount_off = 1500 };
  TillPromotionWindow window = { .start_minute = 22 * 60, .end_minute = 2 * 60 };
  gint64              quantity = 2;
  const char *const   skus[] = { TEA_SKU, NULL };
  const char *const   other[] = { "T002", NULL };
  const char *const   tiers[] = { "gold", NULL };

  for (int kind = TILL_PROMOTION_THRESHOLD; kind <= TILL_PROMOTION_SALE_DISCOUNT; kind++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillPromotion) bare = till_promotion_new ("P-KIND", "种类", kind);
      g_autofree char *json = till_promotion_to_json (bare);
      g_autoptr (JsonNode) node = json_from_string (json, &error);

      ck_assert_msg (node != NULL, "%s", error ? error->message : "");
      ck_assert_msg (hq_store_check_promotion (json_node_get_object (node), &error),
                     "HQ refuses the till's %s: %s (%s)", till_promotion_kind_to_string (kind),
                     error->message, json);
    }

  /* Every member the till writes, whatever the kind would use. */
  rich->priority = -3;
  rich->stacking = TILL_STACKING_EXCLUSIVE_GROUP;
  rich->stacking_group = g_strdup ("满减");
  rich->skus = g_strdupv ((char **) skus);
  rich->categories = g_strdupv ((char **) (const char *const[]){ "01", NULL });
  rich->brands = g_strdupv ((char **) (const char *const[]){ "康师傅", NULL });
  rich->excluded_skus = g_strdupv ((char **) other);
  rich->percent_bp = 1000;
  rich->fixed_price = 500;
  g_array_append_val (rich->tiers, tier);
  rich->every_amount = 5000;
  rich->every_off = 500;
  rich->gift_sku = g_strdup ("T002");
  rich->gift_quantity = TILL_QUANTITY_ONE;
  rich->buy_quantity = 2;
  rich->get_quantity = 1;
  rich->nth_item = 2;
  rich->mix_quantity = 3;
  rich->mix_price = 1000;
  rich->bundle_skus = g_strdupv ((char **) other);
  g_array_append_val (rich->bundle_quantities, quantity);
  rich->bundle_price = 1800;
  rich->amount_off = 300;
  rich->coupon_code = g_strdup ("SAVE3");
  rich->coupon_multi_use = TRUE;
  rich->valid_from_us = G_GINT64_CONSTANT (1767196800000000);
  rich->valid_until_us = G_GINT64_CONSTANT (1798732800000000);
  rich->weekdays = (1u << G_DATE_SATURDAY) | (1u << G_DATE_SUNDAY);
  g_array_append_val (rich->windows, window);
  rich->stores = g_strdupv ((char **) (const char *const[]){ TILL_STORE, NULL });
  rich->store_groups = g_strdupv ((char **) (const char *const[]){ TILL_GROUP, NULL });
  rich->member_only = TRUE;
  rich->tiers_only = g_strdupv ((char **) tiers);
  rich->min_quantity = TILL_QUANTITY_ONE;
  rich->min_amount = 2000;
  rich->per_sale_limit = 1;
  rich->per_member_limit = 5;
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *json = till_promotion_to_json (rich);
    g_autoptr (JsonNode) node = json_from_string (json, &error);
    g_autoptr (GList) members = NULL;

    ck_assert_msg (node != NULL, "%s", error ? error->message : "");
    members = json_object_get_members (json_node_get_object (node));
    /* It really carries the members: the check below is not vacuous. */
    ck_assert_uint_ge (g_list_length (members), 35);
    ck_assert_msg (hq_store_check_promotion (json_node_get_object (node), &error),
                   "HQ refuses what the till writes: %s (%s)", error ? error->message : "", json);
  }

  /* And HQ refuses a kind the till does not know. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) node =
        json_from_string ("{\"code\":\"X\",\"name\":\"x\",\"kind\":\"spend-threshold\"}", NULL);
    TillPromotionKind kind;

    ck_assert (!till_promotion_kind_from_string ("spend-threshold", &kind));
    ck_assert (!hq_store_check_promotion (json_node_get_object (node), &error));
  }
}
END_TEST

static Suite *
promotion_sync_suite (void)
{
  Suite *suite = suite_create ("promotion-sync");
  TCase *tc = tcase_create ("/sync/promotion");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_group_set_and_removed);
  tcase_add_test (tc, test_update);
  tcase_add_test (tc, test_documented_example);
  tcase_add_test (tc, test_group_without_group_rows);
  tcase_add_test (tc, test_store_moved);
  suite_add_tcase (suite, tc);

  /* No HQ or till needed: the formats alone. */
  tc = tcase_create ("/sync/promotion/format");
  tcase_add_test (tc, test_till_format_accepted);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (promotion_sync_suite ());
}
