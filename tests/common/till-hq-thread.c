/* till-hq-thread.c: opentill-hq in-process on a thread of its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-test"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <hq-server.h>

#include "till-hq-thread.h"

struct _TillHqThread
{
  char         *dir;
  char         *db_location;
  guint         port; /* asked for, then the one HQ got */
  char         *url;
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;

  /* Owned by HQ's thread while it runs. */
  HqStore  *store;
  HqCa     *ca;
  HqServer *server;

  /* Guards started and start_error, and each call's done flag. */
  GMutex   lock;
  GCond    cond;
  gboolean started;
  GError  *start_error;
};

typedef struct
{
  TillHqThread *hq;
  GSourceFunc   func;
  gpointer      data;
  gboolean      done;
} HqCall;

static gpointer
hq_thread_main (gpointer data)
{
  TillHqThread    *self = data;
  g_autofree char *ca_dir = g_build_filename (self->dir, "ca", NULL);
  g_autoptr (GError) error = NULL;
  gboolean serving = FALSE;

  g_main_context_push_thread_default (self->context);
  self->store = hq_store_open (self->db_location, &error);
  if (self->store != NULL)
    self->ca = hq_ca_open (ca_dir, NULL, &error);
  if (self->ca != NULL)
    {
      self->server = hq_server_new (self->store, self->ca);
      self->port = hq_server_listen (self->server, "127.0.0.1", self->port, &error);
      if (self->port != 0)
        {
          self->url = g_strdup (hq_server_get_url (self->server));
          serving = TRUE;
        }
      else if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "HQ did not listen");
    }

  g_mutex_lock (&self->lock);
  self->started = TRUE;
  self->start_error = g_steal_pointer (&error);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  if (serving)
    g_main_loop_run (self->loop);

  if (self->server != NULL)
    hq_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_object (&self->ca);
  g_clear_object (&self->store);
  /* Let the server's closing connections finish on this context before it
   * goes. */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static gboolean
hq_call_cb (gpointer data)
{
  HqCall       *call = data;
  TillHqThread *self = call->hq;

  call->func (call->data);
  g_mutex_lock (&self->lock);
  call->done = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return G_SOURCE_REMOVE;
}

static void
hq_thread_free (TillHqThread *self)
{
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_error (&self->start_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->dir);
  g_free (self->db_location);
  g_free (self->url);
  g_free (self);
}

/* One request of the helpers below, carried to HQ's thread and back. */
typedef struct
{
  TillHqThread *hq;
  const char   *store_id;
  const char   *name;
  const char   *group_id;
  guint         till_no;
  gint64        valid_us;
  const char   *kind;
  const char   *till_id;
  gboolean      ok;
  char         *secret;
  gint64        count;
  GError       *error;
} HqRequest;

static gboolean
put_store_cb (gpointer data)
{
  HqRequest *request = data;

  request->ok = hq_store_put_store (request->hq->store, request->store_id, request->name,
                                    request->group_id, &request->error);
  return G_SOURCE_REMOVE;
}

static gboolean
make_token_cb (gpointer data)
{
  HqRequest *request = data;

  request->secret = hq_store_create_enroll_token (
      request->hq->store, request->store_id, request->till_no, request->valid_us, &request->error);
  return G_SOURCE_REMOVE;
}

static gboolean
count_documents_cb (gpointer data)
{
  HqRequest *request = data;

  request->count = hq_store_count_documents (request->hq->store, request->kind, request->till_id,
                                             &request->error);
  return G_SOURCE_REMOVE;
}

/**
 * till_hq_thread_start:
 * Opens HQ's database and CA and serves HTTPS on 127.0.0.1 from a new thread,
 * returning once it listens.
 *
 * Returns: (transfer full): the running HQ, or %NULL with @error set
 */
TillHqThread *
till_hq_thread_start (const char *dir, const char *db_location, guint port, GError **error)
{
  TillHqThread *self;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot make HQ's directory %s: %s", dir, g_strerror (saved_errno));
      return NULL;
    }

  self = g_new0 (TillHqThread, 1);
  self->dir = g_strdup (dir);
  self->db_location =
      db_location != NULL ? g_strdup (db_location) : g_build_filename (dir, "hq.db", NULL);
  self->port = port;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->thread = g_thread_new ("hq", hq_thread_main, self);

  g_mutex_lock (&self->lock);
  while (!self->started)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (self->start_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->start_error));
      g_thread_join (self->thread);
      hq_thread_free (self);
      return NULL;
    }
  return self;
}

/**
 * till_hq_thread_stop:
 * Quits HQ's loop, joins its thread (which closes the server, CA and store)
 * and frees @self.
 */
void
till_hq_thread_stop (TillHqThread *self)
{
  if (self == NULL)
    return;
  /* g_main_loop_quit() wakes the loop's context from any thread. */
  g_main_loop_quit (self->loop);
  g_thread_join (self->thread);
  hq_thread_free (self);
}

/**
 * till_hq_thread_get_url:
 * Returns: HQ's base URL, e.g. "https://127.0.0.1:40123"
 */
const char *
till_hq_thread_get_url (TillHqThread *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->url;
}

/**
 * till_hq_thread_get_port:
 * Returns: the port HQ listens on, to start a later HQ on it again
 */
guint
till_hq_thread_get_port (TillHqThread *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->port;
}

/**
 * till_hq_thread_get_store:
 * Returns: (transfer none): HQ's connection; only for till_hq_thread_call()'s
 * functions
 */
HqStore *
till_hq_thread_get_store (TillHqThread *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->store;
}

/**
 * till_hq_thread_get_ca:
 * Returns: (transfer none): HQ's CA
 */
HqCa *
till_hq_thread_get_ca (TillHqThread *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->ca;
}

/**
 * till_hq_thread_call:
 * Runs @func (@data) on HQ's thread, between requests, and waits for it.
 * @func's return value is ignored: it runs once.
 */
void
till_hq_thread_call (TillHqThread *self, GSourceFunc func, gpointer data)
{
  HqCall call = { .hq = self, .func = func, .data = data };

  g_return_if_fail (self != NULL);
  g_return_if_fail (func != NULL);

  g_main_context_invoke (self->context, hq_call_cb, &call);
  g_mutex_lock (&self->lock);
  while (!call.done)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

/**
 * till_hq_thread_open_store:
 * Opens a connection of the caller's own to HQ's database, e.g. to look at
 * what HQ holds from the test's thread while HQ serves.
 *
 * Returns: (transfer full): the connection, or %NULL with @error set
 */
HqStore *
till_hq_thread_open_store (TillHqThread *self, GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return hq_store_open (self->db_location, error);
}

/**
 * till_hq_thread_put_store:
 * Creates or renames store @store_id through HQ's connection.
 *
 * Returns: %TRUE, or %FALSE with @error set
 */
gboolean
till_hq_thread_put_store (TillHqThread *self,
                          const char   *store_id,
                          const char   *name,
                          const char   *group_id,
                          GError      **error)
{
  HqRequest request = { .hq = self, .store_id = store_id, .name = name, .group_id = group_id };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (store_id != NULL && name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  till_hq_thread_call (self, put_store_cb, &request);
  if (!request.ok)
    {
      g_propagate_error (error, request.error);
      return FALSE;
    }
  return TRUE;
}

/**
 * till_hq_thread_make_token:
 * Creates a one-time enrollment secret at HQ and appends the pin of HQ's CA,
 * as opentill-hq prints it for store IT.
 *
 * Returns: (transfer full): "<secret>.<pin>", or %NULL with @error set
 */
char *
till_hq_thread_make_token (
    TillHqThread *self, const char *store_id, guint till_no, gint64 valid_us, GError **error)
{
  HqRequest request = {
    .hq = self, .store_id = store_id, .till_no = till_no, .valid_us = valid_us
  };
  g_autofree char *secret = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (store_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  till_hq_thread_call (self, make_token_cb, &request);
  secret = request.secret;
  if (secret == NULL)
    {
      g_propagate_error (error, request.error);
      return NULL;
    }
  return g_strconcat (secret, ".", hq_ca_get_pin (self->ca), NULL);
}

/**
 * till_hq_thread_count_documents:
 * Counts the documents of @kind (%NULL: every kind) HQ has stored, from
 * @till_id or (%NULL) every till.
 *
 * Returns: the count, or -1 with @error set
 */
gint64
till_hq_thread_count_documents (TillHqThread *self,
                                const char   *kind,
                                const char   *till_id,
                                GError      **error)
{
  HqRequest request = { .hq = self, .kind = kind, .till_id = till_id, .count = -1 };

  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  till_hq_thread_call (self, count_documents_cb, &request);
  if (request.count < 0)
    {
      g_propagate_error (error, request.error);
      return -1;
    }
  return request.count;
}
