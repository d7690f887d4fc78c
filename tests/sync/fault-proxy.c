/* fault-proxy.c: a TCP proxy on loopback that misbehaves on command
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Usage: fault-proxy LISTEN_PORT UPSTREAM_PORT
 *
 * Listens on 127.0.0.1:LISTEN_PORT (0 = any free port) and forwards every
 * connection to 127.0.0.1:UPSTREAM_PORT. It prints "listening on PORT" when
 * ready, then reads one command per line on stdin and answers "ok <command>"
 * once the mode is in force:
 *
 *   pass               forward everything
 *   delay MS           hold each piece of the response MS milliseconds
 *   throttle BPS       at most BPS bytes per second in each direction
 *   cut N              close both sides after N bytes of the response
 *   drop               drop-after-commit: forward the whole request, read the
 *                      whole response, then close the client without it
 *   refuse             close new connections at once
 *   stats              prints "stats connections=N dropped=N cut=N"
 *   quit               exits
 *
 * HQ speaks TLS, so the proxy cannot read HTTP. It tells the handshake from
 * the exchange by TLS record headers, which travel in clear: once the client
 * has sent an application-data record (type 23), whatever the server sends
 * is the reply (in TLS 1.3 the client's encrypted Finished is the first such
 * record; in TLS 1.2 it is the request itself). "The whole response" is
 * what the server sent until it went quiet for 300 ms: on loopback HQ writes
 * an ack in one go. */
#define G_LOG_DOMAIN "fault-proxy"

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef enum
{
  MODE_PASS,
  MODE_DELAY,
  MODE_THROTTLE,
  MODE_CUT,
  MODE_DROP,
  MODE_REFUSE,
} Mode;

/* The mode in force; read at every piece of data so that a change applies
 * to live connections too. */
static GMutex  mode_lock;
static Mode    mode = MODE_PASS;
static gint64  mode_arg;
static guint16 upstream_port;

static gint n_connections;
static gint n_dropped;
static gint n_cut;

/* How long the server must stay silent before a dropped reply counts as
 * complete. */
#define DROP_QUIET_MS 300
#define CHUNK_SIZE 16384

typedef struct
{
  int      client_fd;
  int      server_fd;
  gint     ref_count;
  gboolean client_sent_appdata; /* atomic: the handshake is over */
  gint     closing;             /* atomic */
} Connection;

static void
get_mode (Mode *out_mode, gint64 *out_arg)
{
  g_mutex_lock (&mode_lock);
  *out_mode = mode;
  *out_arg = mode_arg;
  g_mutex_unlock (&mode_lock);
}

static void
connection_close (Connection *conn)
{
  /* shutdown() wakes the other direction's blocking read. */
  if (g_atomic_int_compare_and_exchange (&conn->closing, 0, 1))
    {
      shutdown (conn->client_fd, SHUT_RDWR);
      shutdown (conn->server_fd, SHUT_RDWR);
    }
}

static void
connection_unref (Connection *conn)
{
  if (!g_atomic_int_dec_and_test (&conn->ref_count))
    return;
  close (conn->client_fd);
  close (conn->server_fd);
  g_free (conn);
}

static gboolean
write_all (int fd, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = send (fd, data, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Writes at most @bytes_per_s, in tenths of a second. */
static gboolean
write_throttled (int fd, const guint8 *data, gsize len, gint64 bytes_per_s)
{
  gsize slice = MAX (1, (gsize) bytes_per_s / 10);

  while (len > 0)
    {
      gsize n = MIN (len, slice);

      if (!write_all (fd, data, n))
        return FALSE;
      data += n;
      len -= n;
      g_usleep ((gulong) (n * G_USEC_PER_SEC / (guint64) bytes_per_s));
    }
  return TRUE;
}

/* The client's records, scanned for the first application-data record. */
typedef struct
{
  guint8 header[5];
  guint  header_have;
  gsize  body_left;
} RecordScanner;

static gboolean
scan_records (RecordScanner *scanner, const guint8 *data, gsize len)
{
  gboolean seen_appdata = FALSE;

  while (len > 0)
    {
      if (scanner->body_left > 0)
        {
          gsize n = MIN (len, scanner->body_left);

          scanner->body_left -= n;
          data += n;
          len -= n;
          continue;
        }
      scanner->header[scanner->header_have++] = *data++;
      len--;
      if (scanner->header_have == 5)
        {
          if (scanner->header[0] == 23)
            seen_appdata = TRUE;
          scanner->body_left = ((gsize) scanner->header[3] << 8) | scanner->header[4];
          scanner->header_have = 0;
        }
    }
  return seen_appdata;
}

static gpointer
pump_request_thread (gpointer user_data)
{
  Connection   *conn = user_data;
  RecordScanner scanner = { 0 };
  guint8        buf[CHUNK_SIZE];

  for (;;)
    {
      ssize_t n = recv (conn->client_fd, buf, sizeof buf, 0);
      Mode    current;
      gint64  arg;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      if (scan_records (&scanner, buf, (gsize) n))
        g_atomic_int_set (&conn->client_sent_appdata, TRUE);
      get_mode (&current, &arg);
      if (current == MODE_THROTTLE && arg > 0
              ? !write_throttled (conn->server_fd, buf, (gsize) n, arg)
              : !write_all (conn->server_fd, buf, (gsize) n))
        break;
    }
  connection_close (conn);
  connection_unref (conn);
  return NULL;
}

static gpointer
pump_response_thread (gpointer user_data)
{
  Connection *conn = user_data;
  guint8      buf[CHUNK_SIZE];
  gint64      reply_bytes = 0;
  gint64      withheld = 0;

  for (;;)
    {
      ssize_t n;
      Mode    current;
      gint64  arg;

      /* A dropped reply is complete once the server goes quiet. */
      if (withheld > 0)
        {
          struct pollfd pfd = { .fd = conn->server_fd, .events = POLLIN };
          int           rc = poll (&pfd, 1, DROP_QUIET_MS);

          if (rc == 0)
            {
              g_atomic_int_inc (&n_dropped);
              break;
            }
        }

      n = recv (conn->server_fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;

      get_mode (&current, &arg);
      if (!g_atomic_int_get (&conn->client_sent_appdata))
        {
          /* The handshake always goes through (except under throttling):
           * the faults are about the reply to a request HQ received. */
          if (current == MODE_THROTTLE && arg > 0
                  ? !write_throttled (conn->client_fd, buf, (gsize) n, arg)
                  : !write_all (conn->client_fd, buf, (gsize) n))
            break;
          continue;
        }

      switch (current)
        {
        case MODE_DROP:
          withheld += n;
          continue;
        case MODE_CUT:
          if (reply_bytes + n >= arg)
            {
              write_all (conn->client_fd, buf, (gsize) MAX (0, arg - reply_bytes));
              g_atomic_int_inc (&n_cut);
              goto out;
            }
          break;
        case MODE_DELAY:
          g_usleep ((gulong) arg * 1000);
          break;
        case MODE_THROTTLE:
          if (arg > 0 && !write_throttled (conn->client_fd, buf, (gsize) n, arg))
            goto out;
          reply_bytes += n;
          continue;
        case MODE_PASS:
        case MODE_REFUSE:
        default:
          break;
        }
      reply_bytes += n;
      if (!write_all (conn->client_fd, buf, (gsize) n))
        break;
    }
out:
  connection_close (conn);
  connection_unref (conn);
  return NULL;
}

static int
connect_upstream (void)
{
  struct sockaddr_in addr = { 0 };
  int                fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int                one = 1;

  if (fd < 0)
    return -1;
  addr.sin_family = AF_INET;
  addr.sin_port = htons (upstream_port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      close (fd);
      return -1;
    }
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static gpointer
accept_thread (gpointer user_data)
{
  int listen_fd = GPOINTER_TO_INT (user_data);

  for (;;)
    {
      int         client_fd = accept (listen_fd, NULL, NULL);
      int         server_fd;
      int         one = 1;
      Connection *conn;
      Mode        current;
      gint64      arg;

      if (client_fd < 0)
        {
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          g_printerr ("fault-proxy: accept: %s\n", g_strerror (errno));
          exit (1);
        }
      fcntl (client_fd, F_SETFD, FD_CLOEXEC);
      g_atomic_int_inc (&n_connections);
      get_mode (&current, &arg);
      if (current == MODE_REFUSE)
        {
          close (client_fd);
          continue;
        }
      server_fd = connect_upstream ();
      if (server_fd < 0)
        {
          /* HQ is down: the till sees a closed connection, as it would. */
          close (client_fd);
          continue;
        }
      setsockopt (client_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

      conn = g_new0 (Connection, 1);
      conn->client_fd = client_fd;
      conn->server_fd = server_fd;
      conn->ref_count = 2;
      g_thread_unref (g_thread_new ("proxy-request", pump_request_thread, conn));
      g_thread_unref (g_thread_new ("proxy-response", pump_response_thread, conn));
    }
  return NULL;
}

static gboolean
parse_command (const char *line, Mode *out_mode, gint64 *out_arg)
{
  g_auto (GStrv) words = g_strsplit_set (line, " \t", 3);
  guint  n = g_strv_length (words);
  gint64 arg = 0;

  if (n == 0)
    return FALSE;
  if (n >= 2)
    {
      char *end = NULL;

      arg = g_ascii_strtoll (words[1], &end, 10);
      if (end == words[1] || *end != '\0' || arg < 0)
        return FALSE;
    }
  if (g_str_equal (words[0], "pass") && n == 1)
    *out_mode = MODE_PASS;
  else if (g_str_equal (words[0], "delay") && n == 2)
    *out_mode = MODE_DELAY;
  else if (g_str_equal (words[0], "throttle") && n == 2 && arg > 0)
    *out_mode = MODE_THROTTLE;
  else if (g_str_equal (words[0], "cut") && n == 2)
    *out_mode = MODE_CUT;
  else if (g_str_equal (words[0], "drop") && n == 1)
    *out_mode = MODE_DROP;
  else if (g_str_equal (words[0], "refuse") && n == 1)
    *out_mode = MODE_REFUSE;
  else
    return FALSE;
  *out_arg = arg;
  return TRUE;
}

int
main (int argc, char **argv)
{
  struct sockaddr_in addr = { 0 };
  socklen_t          addr_len = sizeof addr;
  int                listen_fd;
  int                one = 1;
  char               line[256];

  if (argc != 3)
    {
      g_printerr ("usage: fault-proxy LISTEN_PORT UPSTREAM_PORT\n");
      return 2;
    }
  signal (SIGPIPE, SIG_IGN);
  upstream_port = (guint16) atoi (argv[2]);

  listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  setsockopt (listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  addr.sin_family = AF_INET;
  addr.sin_port = htons ((guint16) atoi (argv[1]));
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (listen_fd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (listen_fd, 64) < 0 ||
      getsockname (listen_fd, (struct sockaddr *) &addr, &addr_len) < 0)
    {
      g_printerr ("fault-proxy: cannot listen: %s\n", g_strerror (errno));
      return 1;
    }
  g_thread_unref (g_thread_new ("proxy-accept", accept_thread, GINT_TO_POINTER (listen_fd)));
  printf ("listening on %u\n", (guint) ntohs (addr.sin_port));
  fflush (stdout);

  while (fgets (line, sizeof line, stdin) != NULL)
    {
      Mode   new_mode;
      gint64 arg;

      g_strstrip (line);
      if (line[0] == '\0')
        continue;
      if (g_str_equal (line, "quit"))
        break;
      if (g_str_equal (line, "stats"))
        {
          printf ("stats connections=%d dropped=%d cut=%d\n", g_atomic_int_get (&n_connections),
                  g_atomic_int_get (&n_dropped), g_atomic_int_get (&n_cut));
          fflush (stdout);
          continue;
        }
      if (!parse_command (line, &new_mode, &arg))
        {
          printf ("error %s\n", line);
          fflush (stdout);
          continue;
        }
      g_mutex_lock (&mode_lock);
      mode = new_mode;
      mode_arg = arg;
      g_mutex_unlock (&mode_lock);
      printf ("ok %s\n", line);
      fflush (stdout);
    }
  /* Live connections die with the process: the tests want nothing else. */
  _exit (0);
}
