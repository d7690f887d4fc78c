/* till-pg-fixture.c: a private PostgreSQL server for the tests that need one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-pg-fixture"

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pwd.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "till-pg-fixture.h"
#include "till-test-util.h"

struct _TillPgServer
{
  char *bindir;
  /* The scratch directory: the Unix socket lives here, the cluster in data/. */
  char *dir;
  char *data_dir;
  char *log_path;
  guint port;
  /* PostgreSQL refuses to run as root: as root, its programs run as the
   * "postgres" system user through runuser. */
  gboolean as_postgres_user;
  char    *runuser;
};

/* The newest /usr/lib/postgresql/N/bin with an initdb, or $OPENTILL_PG_BINDIR. */
static char *
find_bindir (GError **error)
{
  const char *root = "/usr/lib/postgresql";
  const char *override = g_getenv ("OPENTILL_PG_BINDIR");
  g_autoptr (GDir) dir = NULL;
  g_autofree char *best = NULL;
  guint64          best_version = 0;
  const char      *name;

  if (override != NULL && override[0] != '\0')
    return g_strdup (override);
  dir = g_dir_open (root, 0, error);
  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *bindir = g_build_filename (root, name, "bin", NULL);
      g_autofree char *initdb = g_build_filename (bindir, "initdb", NULL);
      guint64          version = g_ascii_strtoull (name, NULL, 10);

      if (g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE) &&
          (best == NULL || version > best_version))
        {
          g_free (best);
          best = g_steal_pointer (&bindir);
          best_version = version;
        }
    }
  if (best == NULL)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "No PostgreSQL server under %s", root);
  return g_steal_pointer (&best);
}

/* A TCP port on 127.0.0.1 that nobody listened on a moment ago. */
static guint
find_free_port (GError **error)
{
  struct sockaddr_in address = { 0 };
  socklen_t          length = sizeof address;
  int                fd = socket (AF_INET, SOCK_STREAM, 0);
  guint              port = 0;

  if (fd < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "socket: %s",
                   g_strerror (errno));
      return 0;
    }
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (fd, (struct sockaddr *) &address, sizeof address) == 0 &&
      getsockname (fd, (struct sockaddr *) &address, &length) == 0)
    port = ntohs (address.sin_port);
  else
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "bind: %s",
                 g_strerror (errno));
  close (fd);
  return port;
}

/* Runs one of the server's programs (in its bindir) with @args, as the
 * postgres user when @as_server and we are root, and waits for it. */
static gboolean
run_program (TillPgServer      *self,
             gboolean           as_server,
             const char        *program,
             const char *const *args,
             GError           **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) exit_error = NULL;
  int wait_status = 0;

  if (as_server && self->as_postgres_user)
    {
      g_ptr_array_add (argv, g_strdup (self->runuser));
      g_ptr_array_add (argv, g_strdup ("-u"));
      g_ptr_array_add (argv, g_strdup ("postgres"));
      g_ptr_array_add (argv, g_strdup ("--"));
    }
  g_ptr_array_add (argv, g_build_filename (self->bindir, program, NULL));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  /* The scratch directory as the working directory: the postgres user may
   * not be allowed into ours. */
  if (!g_spawn_sync (self->dir, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                     &err, &wait_status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (wait_status, &exit_error))
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "%s failed (%s): %s%s", program,
                   exit_error->message, err != NULL ? err : "", out != NULL ? out : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
start_server (TillPgServer *self, GError **error)
{
  g_autofree char *quoted_dir = g_shell_quote (self->dir);
  g_autofree char *options = NULL;
  g_autofree char *port = NULL;
  g_autoptr (GError) local_error = NULL;

  self->port = find_free_port (error);
  if (self->port == 0)
    return FALSE;
  port = g_strdup_printf ("%u", self->port);
  /* fsync off: a test server needs no durability, and it keeps the tests
   * from waiting on the disk. */
  options = g_strdup_printf ("-p %u -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s "
                             "-c fsync=off -c full_page_writes=off -c max_connections=50",
                             self->port, quoted_dir);
  {
    const char *args[] = { "-D", self->data_dir, "-l",    self->log_path, "-w", "-t",
                           "60", "-o",           options, "start",        NULL };

    if (run_program (self, TRUE, "pg_ctl", args, &local_error))
      return TRUE;
  }
  {
    g_autofree char *log = NULL;

    g_file_get_contents (self->log_path, &log, NULL, NULL);
    g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "%s\n%s", local_error->message,
                 log != NULL ? log : "");
  }
  return FALSE;
}

/**
 * till_pg_server_start:
 * Creates a cluster in a scratch directory and starts a server on it; the
 * role "opentill" is its superuser and logs in without a password.
 */
TillPgServer *
till_pg_server_start (GError **error)
{
  TillPgServer *self;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (TillPgServer, 1);
  self->bindir = find_bindir (error);
  if (self->bindir == NULL)
    {
      g_free (self);
      return NULL;
    }
  self->dir = till_test_make_tmpdir ();
  self->data_dir = g_build_filename (self->dir, "data", NULL);
  self->log_path = g_build_filename (self->dir, "postgres.log", NULL);

  if (geteuid () == 0)
    {
      struct passwd *user = getpwnam ("postgres");

      self->as_postgres_user = TRUE;
      self->runuser = g_find_program_in_path ("runuser");
      if (self->runuser == NULL && g_file_test ("/usr/sbin/runuser", G_FILE_TEST_IS_EXECUTABLE))
        self->runuser = g_strdup ("/usr/sbin/runuser");
      if (user == NULL || self->runuser == NULL)
        {
          g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                       "PostgreSQL does not run as root, and %s",
                       user == NULL ? "there is no postgres user" : "runuser is missing");
          till_pg_server_stop (self);
          return NULL;
        }
      if (chown (self->dir, user->pw_uid, user->pw_gid) != 0)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "chown %s: %s",
                       self->dir, g_strerror (errno));
          till_pg_server_stop (self);
          return NULL;
        }
    }

  {
    const char *args[] = { "-D", self->data_dir, "-U",          "opentill",  "--auth=trust",
                           "-E", "UTF8",         "--no-locale", "--no-sync", "--no-instructions",
                           NULL };

    if (!run_program (self, TRUE, "initdb", args, error))
      {
        till_pg_server_stop (self);
        return NULL;
      }
  }

  /* The port was free when we looked; another process may take it before
   * the server binds it, so try again with another. */
  for (guint attempt = 0; attempt < 3; attempt++)
    {
      g_clear_error (&local_error);
      if (start_server (self, &local_error))
        return self;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  till_pg_server_stop (self);
  return NULL;
}

/**
 * till_pg_server_create_database:
 * Creates the database @name and returns its location for hq_db_open().
 */
char *
till_pg_server_create_database (TillPgServer *self, const char *name, GError **error)
{
  g_autofree char *port = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  port = g_strdup_printf ("%u", self->port);
  {
    const char *args[] = { "-h", self->dir, "-p", port, "-U", "opentill", name, NULL };

    if (!run_program (self, FALSE, "createdb", args, error))
      return NULL;
  }
  return g_strdup_printf ("pg:host=%s port=%u dbname=%s user=opentill", self->dir, self->port,
                          name);
}

/**
 * till_pg_server_get_port:
 * Returns the TCP port the server listens on at 127.0.0.1.
 */
guint
till_pg_server_get_port (TillPgServer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->port;
}

/**
 * till_pg_server_stop:
 * Stops the server at once (no checkpoint: the data is thrown away) and
 * removes its directory.
 */
void
till_pg_server_stop (TillPgServer *self)
{
  g_autofree char *pid_file = NULL;

  if (self == NULL)
    return;
  pid_file = g_build_filename (self->data_dir, "postmaster.pid", NULL);
  if (g_file_test (pid_file, G_FILE_TEST_EXISTS))
    {
      const char *args[] = { "-D", self->data_dir, "-m", "immediate", "-w", "stop", NULL };
      g_autoptr (GError) error = NULL;

      if (!run_program (self, TRUE, "pg_ctl", args, &error))
        g_printerr ("Cannot stop the test PostgreSQL server: %s\n", error->message);
    }
  till_test_remove_tree (self->dir);
  g_free (self->bindir);
  g_free (self->dir);
  g_free (self->data_dir);
  g_free (self->log_path);
  g_free (self->runuser);
  g_free (self);
}
