/* till-sync-test-util.h: what the end-to-end and fault suites share: a real
 * HQ on loopback, tills that sell and sync, the fault proxy, the set checker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hq-ca.h"
#include "hq-store.h"
#include "till-core.h"
#include "till-sync.h"

G_BEGIN_DECLS

/* --- HQ --------------------------------------------------------------------
 * One HQ: its directory (CA and, for SQLite, hq.db), its database location,
 * and the server, a child process: the real opentill-hq binary ($OPENTILL_HQ
 * serve) or, with OPENTILL_TEST_HQ=self or when there is no binary, the test
 * program itself run as "PROGRAM --hq-serve DIR LOCATION PORT" (libhq
 * in-process). The test keeps its own HqStore connection to set HQ up and to
 * look at what it holds. */
typedef struct
{
  char    *dir;
  char    *location; /* hq_db_open location */
  HqStore *store;    /* the test's own connection */
  HqCa    *ca;
  GPid     pid; /* 0 when not running */
  guint    port;
  char    *url;
  int      stdout_fd;
} TillTestHq;

/* @location NULL: an SQLite file in @dir. */
TillTestHq *till_test_hq_new (const char *dir, const char *location, GError **error);
/* Starts the server on @port (0: a free one, kept across restarts). */
gboolean till_test_hq_start (TillTestHq *hq, guint port, GError **error);
/* SIGKILL, as a crash; the data stays for a restart. */
void till_test_hq_kill (TillTestHq *hq);
void till_test_hq_free (TillTestHq *hq);
/* "<secret>.<pin>" for till @till_no of @store_id. */
char *till_test_hq_token (TillTestHq *hq, const char *store_id, guint till_no);
/* Documents HQ holds (kind, ref_uuid), all tills: a set (ref → count). */
GHashTable *till_test_hq_document_refs (TillTestHq *hq, const char *kind);

/* Test programs call this first thing in main(): it serves HQ when the
 * program was started as an HQ server, and returns -1 otherwise. */
int till_test_hq_serve_main (int argc, char **argv);

/* --- Tills -----------------------------------------------------------------
 * A till database in its own directory with a few products (SKUs T001…T005,
 * local to the till) and a cashier "1001" with PIN "1234". */
typedef struct
{
  char        *dir;
  char        *db_path;
  char        *key_path;
  TillStore   *store;
  TillCatalog *catalog;
  TillJournal *journal;
  TillCart    *cart;
  TillUser    *cashier;
  char        *till_id;  /* after enrollment */
  char        *store_id; /* after enrollment */
} TillTestTill;

TillTestTill *till_test_till_new (const char *dir, GError **error);
/* Opens an existing till database (after a till process was killed). */
TillTestTill *till_test_till_open (const char *dir, GError **error);
void          till_test_till_close (TillTestTill *till);
gboolean
till_test_till_enroll (TillTestTill *till, const char *url, const char *token, GError **error);
/* Makes @n cash sales; sale i sells SKU T00(1 + (i % 5)) × (1 + i % 3) and,
 * every fourth sale, one more line. @seed varies the products. */
gboolean till_test_till_sell (TillTestTill *till, guint n, guint seed, GError **error);
/* Sells one unit of @sku (which must exist at the till). Returns the sale's
 * uuid. */
char *till_test_till_sell_sku (TillTestTill *till, const char *sku, GError **error);
/* One till_sync_run with a client timing out after @timeout_s. */
gboolean
till_test_till_sync (TillTestTill *till, guint timeout_s, guint *out_pushed, GError **error);
/* Syncs until nothing is pending (or @max_rounds). */
gboolean till_test_till_drain (TillTestTill *till, guint max_rounds, GError **error);
gint64   till_test_till_pending (TillTestTill *till);
gint64   till_test_till_query_int (TillTestTill *till, const char *sql, const char *text_arg);

/* --- The fault proxy --------------------------------------------------------- */
typedef struct
{
  GPid  pid;
  int   stdin_fd;
  int   stdout_fd;
  guint port;
  char *url;
} TillTestProxy;

TillTestProxy *till_test_proxy_start (guint upstream_port, GError **error);
/* Sends a command ("pass", "delay 2000", "cut 700", …) and waits for "ok". */
gboolean till_test_proxy_set (TillTestProxy *proxy, const char *command);
void     till_test_proxy_free (TillTestProxy *proxy);

/* --- Helper processes ------------------------------------------------------- */
/* Reads one line from @fd (at most @timeout_ms); NULL on EOF or timeout. */
char *till_test_read_line (int fd, int timeout_ms);

/* --- The set checker ----------------------------------------------------------
 * made: sales in the tills' databases; delivered: those HQ holds; lost =
 * made − delivered; doubled: sale documents at HQ beyond one per sale, plus
 * documents HQ holds that no till made (unexpected), plus the quantity cells
 * of HQ's roll-ups (store, day, product) above what the tills sold. */
typedef struct
{
  gint64 made;
  gint64 delivered;
  gint64 lost;
  gint64 doubled;
  gint64 unexpected;
  gint64 rollup_over;  /* roll-up cells above the tills' sums */
  gint64 rollup_under; /* roll-up cells below: a sale lost to the roll-ups */
} TillTestSetResult;

/* @dbs: till database paths; @store_ids: each till's store (for roll-ups). */
gboolean till_test_check_sets (TillTestHq        *hq,
                               const char *const *db_paths,
                               const char *const *store_ids,
                               guint              n_tills,
                               TillTestSetResult *out,
                               GError           **error);
/* Prints "faults: CASE made=N delivered=N lost=N doubled=N". */
void till_test_print_sets (const char *case_name, const TillTestSetResult *result);

G_END_DECLS
