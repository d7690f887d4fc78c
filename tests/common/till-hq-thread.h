/* till-hq-thread.h: opentill-hq in-process on a thread of its own, for the
 * tests and benches that run the till's blocking client or its worker
 * against a real HQ
 *
 * The store, CA and HTTPS server of libhq serve 127.0.0.1 from a thread with
 * its own GMainContext, as the real service serves from its main loop. No
 * Check asserts inside: every failure is a GError, so benches use it too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <hq-ca.h>
#include <hq-store.h>

G_BEGIN_DECLS

typedef struct _TillHqThread TillHqThread;

/* @dir: HQ's directory (created if missing); its CA lives in @dir/ca.
 * @db_location: hq_store_open()'s (an SQLite path or "pg:…"), or %NULL for
 * @dir/hq.db. @port: 0 for any free port, or the one an earlier HQ had, to
 * come back where the tills look for it. */
TillHqThread *till_hq_thread_start (const char *dir,
                                    const char *db_location,
                                    guint       port,
                                    GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* Stops serving, closes HQ's store, CA and server, joins the thread and frees
 * @self (which may be %NULL). */
void till_hq_thread_stop (TillHqThread *self);

const char *till_hq_thread_get_url (TillHqThread *self);
guint       till_hq_thread_get_port (TillHqThread *self);
/* HQ's own connection: use it only inside till_hq_thread_call(). */
HqStore *till_hq_thread_get_store (TillHqThread *self);
/* HQ's CA. Its pin, keys and checks are fixed once loaded, so any thread may
 * read them while HQ serves. */
HqCa *till_hq_thread_get_ca (TillHqThread *self);

/* Runs @func (@data) once on HQ's thread and waits for it to return; HqStore
 * is one connection, used by one thread at a time. */
void till_hq_thread_call (TillHqThread *self, GSourceFunc func, gpointer data);

/* A second connection to HQ's database, for the caller's own thread. */
HqStore *till_hq_thread_open_store (TillHqThread *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Creates or renames store @store_id, in group @group_id (%NULL: none). */
gboolean till_hq_thread_put_store (TillHqThread *self,
                                   const char   *store_id,
                                   const char   *name,
                                   const char   *group_id,
                                   GError      **error);
/* An enrollment token for till @till_no of @store_id, valid for @valid_us, as
 * store IT gets it: "<secret>.<pin>". */
char *till_hq_thread_make_token (TillHqThread *self,
                                 const char   *store_id,
                                 guint         till_no,
                                 gint64        valid_us,
                                 GError      **error) G_GNUC_WARN_UNUSED_RESULT;
/* How many documents of @kind (%NULL: every kind) HQ holds, from @till_id
 * or (%NULL) every till; -1 with @error set. */
gint64 till_hq_thread_count_documents (TillHqThread *self,
                                       const char   *kind,
                                       const char   *till_id,
                                       GError      **error);

G_END_DECLS
