/* till-reports-view.c: the reports page of the back office
 *
 * A report reads the rollups, so running one has two steps: first the sales
 * recorded since the last run are folded in (till_report_refresh, a chunk of
 * documents per idle callback on the main loop, where the store lives, with
 * a progress bar), then the query runs in a GTask worker on a read-only
 * connection of its own (TillReportReader), so a year's report never stops
 * the screen. A new run cancels the query under way and ignores its result.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <till-chart.h>
#include <till-sheet.h>

#include "till-reports-view.h"
#include "till-ui-util.h"

/* Documents folded per idle callback: a few tens of milliseconds. */
#define REFRESH_CHUNK 2000

/* The export sizes: the PNG as a slide, the PDF on A4 landscape. */
#define PNG_WIDTH 1600
#define PNG_HEIGHT 1000
#define PDF_WIDTH_PT 842.0
#define PDF_HEIGHT_PT 595.0

typedef enum
{
  PRESET_TODAY,
  PRESET_YESTERDAY,
  PRESET_LAST_7_DAYS,
  PRESET_THIS_MONTH,
  PRESET_LAST_MONTH,
  PRESET_THIS_YEAR,
  N_PRESETS
} Preset;

static const struct
{
  const char *id;
  const char *label;
} presets[N_PRESETS] = {
  [PRESET_TODAY] = { "today", N_ ("Today") },
  [PRESET_YESTERDAY] = { "yesterday", N_ ("Yesterday") },
  [PRESET_LAST_7_DAYS] = { "last-7-days", N_ ("Last 7 days") },
  [PRESET_THIS_MONTH] = { "this-month", N_ ("This month") },
  [PRESET_LAST_MONTH] = { "last-month", N_ ("Last month") },
  [PRESET_THIS_YEAR] = { "this-year", N_ ("This year") },
};

#define N_PERIODS (TILL_REPORT_PERIOD_MONTH + 1)

static const struct
{
  const char *id;
  const char *label;
} periods[N_PERIODS] = {
  [TILL_REPORT_PERIOD_DAY] = { "day", N_ ("Day") },
  [TILL_REPORT_PERIOD_WEEK] = { "week", N_ ("Week") },
  [TILL_REPORT_PERIOD_MONTH] = { "month", N_ ("Month") },
};

/* What the worker thread needs: its own copies, the view may change. */
typedef struct
{
  char           *db_path;
  char           *from_day;
  char           *to_day;
  TillReportQuery query;
} QueryData;

struct _TillReportsView
{
  GtkWidget parent_instance;

  /* template children */
  GtkWidget     *message_label;
  GtkWidget     *page_stack;
  GtkWidget     *denied_label;
  GtkWidget     *approve_button;
  GtkWidget     *export_box;
  GtkWidget     *kind_box;
  GtkWidget     *preset_box;
  GtkWidget     *from_entry;
  GtkWidget     *to_entry;
  GtkWidget     *period_box;
  GtkWidget     *spinner;
  GtkWidget     *progress_bar;
  GtkWidget     *headline_box;
  GtkWidget     *table_grid;
  TillChartView *chart_view;

  GtkWidget *kind_buttons[TILL_N_REPORT_KINDS];
  GtkWidget *preset_buttons[N_PRESETS];
  GtkWidget *period_buttons[N_PERIODS];

  TillSession          *session;
  TillOverrideDialog   *override_dialog;
  GtkFileChooserNative *chooser;
  gboolean              allowed; /* VIEW_REPORTS, the user's own or approved */
  TillReportKind        kind;
  TillReportPeriod      period;
  int                   preset; /* -1: days typed or given */
  char                 *message;

  guint         refresh_source; /* folding new sales into the rollups */
  gint64        refresh_total;  /* documents pending when it began */
  GCancellable *cancellable;    /* the query under way */
  TillReport   *report;         /* the one shown */
  TillChart    *chart;
};

G_DEFINE_FINAL_TYPE (TillReportsView, till_reports_view, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void run_report (TillReportsView *self);

static void
query_data_free (QueryData *data)
{
  g_free (data->db_path);
  g_free (data->from_day);
  g_free (data->to_day);
  g_free (data);
}

static TillStore *
get_store (TillReportsView *self)
{
  return till_session_get_store (self->session);
}

static TillUser *
get_user (TillReportsView *self)
{
  return self->session != NULL ? till_session_get_user (self->session) : NULL;
}

static void
set_message (TillReportsView *self, const char *message, gboolean is_error)
{
  g_free (self->message);
  self->message = g_strdup (message);
  gtk_label_set_text (GTK_LABEL (self->message_label), message != NULL ? message : "");
  gtk_widget_set_visible (self->message_label, message != NULL && *message != '\0');
  gtk_widget_remove_css_class (self->message_label, "status-error");
  gtk_widget_remove_css_class (self->message_label, "status-info");
  gtk_widget_add_css_class (self->message_label, is_error ? "status-error" : "status-info");
}

static gboolean
kind_has_period (TillReportKind kind)
{
  return kind == TILL_REPORT_SALES_BY_PERIOD || kind == TILL_REPORT_RETURNS_VOIDS;
}

/* The toggles show the choices; they never change them by themselves. */
static void
sync_choices (TillReportsView *self)
{
  for (guint i = 0; i < TILL_N_REPORT_KINDS; i++)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->kind_buttons[i]), i == self->kind);
  for (int i = 0; i < N_PRESETS; i++)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->preset_buttons[i]), i == self->preset);
  for (guint i = 0; i < N_PERIODS; i++)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->period_buttons[i]), i == self->period);
  gtk_widget_set_visible (self->period_box, kind_has_period (self->kind));
}

static gboolean
is_busy (TillReportsView *self)
{
  return self->refresh_source != 0 || self->cancellable != NULL;
}

static void
update_busy (TillReportsView *self)
{
  gboolean busy = is_busy (self);

  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), busy);
  gtk_widget_set_visible (self->spinner, busy);
  gtk_widget_set_visible (self->progress_bar, self->refresh_source != 0 && self->refresh_total > 0);
}

static void
stop_work (TillReportsView *self)
{
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

/* ---- The range ----------------------------------------------------------- */

static char *
format_day (GDateTime *time)
{
  return g_date_time_format (time, "%Y-%m-%d");
}

static void
set_days (TillReportsView *self, const char *from_day, const char *to_day)
{
  gtk_editable_set_text (GTK_EDITABLE (self->from_entry), from_day);
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), to_day);
}

/* The preset's first and last day, counted from today (local time). */
static void
apply_preset (TillReportsView *self, Preset preset)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) from = NULL;
  g_autoptr (GDateTime) to = NULL;
  int              year = g_date_time_get_year (now);
  int              month = g_date_time_get_month (now);
  g_autofree char *from_day = NULL;
  g_autofree char *to_day = NULL;

  switch (preset)
    {
    case PRESET_TODAY:
      from = g_date_time_ref (now);
      break;
    case PRESET_YESTERDAY:
      from = g_date_time_add_days (now, -1);
      to = g_date_time_ref (from);
      break;
    case PRESET_LAST_7_DAYS:
      from = g_date_time_add_days (now, -6);
      break;
    case PRESET_THIS_MONTH:
      from = g_date_time_new_local (year, month, 1, 12, 0, 0);
      break;
    case PRESET_LAST_MONTH:
      {
        g_autoptr (GDateTime) first = g_date_time_new_local (year, month, 1, 12, 0, 0);

        from = g_date_time_add_months (first, -1);
        to = g_date_time_add_days (first, -1);
      }
      break;
    case PRESET_THIS_YEAR:
      from = g_date_time_new_local (year, 1, 1, 12, 0, 0);
      break;
    case N_PRESETS:
    default:
      g_assert_not_reached ();
    }
  if (to == NULL)
    to = g_date_time_ref (now);
  from_day = format_day (from);
  to_day = format_day (to);
  set_days (self, from_day, to_day);
  self->preset = preset;
}

/* ---- Showing a report ---------------------------------------------------- */

static void
clear_children (GtkWidget *parent)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (parent)) != NULL)
    {
      if (GTK_IS_FLOW_BOX (parent))
        gtk_flow_box_remove (GTK_FLOW_BOX (parent), child);
      else if (GTK_IS_GRID (parent))
        gtk_grid_remove (GTK_GRID (parent), child);
      else
        gtk_widget_unparent (child);
    }
}

static void
add_headline (TillReportsView *self, const TillReportHeadline *headline)
{
  g_autofree char *value = till_report_format_value (headline->kind, headline->value);
  GtkWidget       *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget       *caption = gtk_label_new (headline->title);
  GtkWidget       *figure = gtk_label_new (value);

  gtk_widget_add_css_class (card, "report-card");
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_label_set_ellipsize (GTK_LABEL (caption), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (figure), 0);
  gtk_label_set_ellipsize (GTK_LABEL (figure), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (figure, "title-2");
  gtk_widget_add_css_class (figure, "numeric");
  gtk_widget_set_name (figure, headline->id);
  gtk_box_append (GTK_BOX (card), caption);
  gtk_box_append (GTK_BOX (card), figure);
  gtk_flow_box_append (GTK_FLOW_BOX (self->headline_box), card);
}

static void
add_cell (TillReportsView *self, const char *text, int column, int row, const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), column == 0 ? 0 : 1);
  if (column == 0)
    {
      /* Product names are long: the figures matter more than their tails. */
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), 10);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 18);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_widget_add_css_class (label, "report-label");
    }
  else
    gtk_widget_add_css_class (label, "numeric");
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_grid_attach (GTK_GRID (self->table_grid), label, column, row, 1, 1);
}

static void
add_row (TillReportsView     *self,
         const TillReport    *report,
         const TillReportRow *row,
         const char          *label,
         int                  at,
         const char          *css_class)
{
  add_cell (self, label, 0, at, css_class);
  for (guint i = 0; i < report->columns->len; i++)
    {
      const TillReportColumn *column = g_ptr_array_index (report->columns, i);
      g_autofree char        *value = till_report_format_value (column->kind, row->values[i]);

      add_cell (self, value, (int) i + 1, at, css_class);
    }
}

static void
show_table (TillReportsView *self, const TillReport *report)
{
  int at = 0;

  clear_children (self->table_grid);
  add_cell (self, "", 0, at, "heading");
  for (guint i = 0; i < report->columns->len; i++)
    {
      const TillReportColumn *column = g_ptr_array_index (report->columns, i);

      add_cell (self, column->title, (int) i + 1, at, "heading");
    }
  at++;
  if (report->rows->len == 0)
    {
      GtkWidget *empty = gtk_label_new (_ ("Nothing was recorded in these days."));

      gtk_label_set_wrap (GTK_LABEL (empty), TRUE);
      gtk_label_set_xalign (GTK_LABEL (empty), 0);
      gtk_widget_add_css_class (empty, "dim-label");
      gtk_grid_attach (GTK_GRID (self->table_grid), empty, 0, at++, (int) report->columns->len + 1,
                       1);
    }
  for (guint i = 0; i < report->rows->len; i++)
    {
      const TillReportRow *row = g_ptr_array_index (report->rows, i);

      add_row (self, report, row, row->label, at++, NULL);
    }
  if (report->totals != NULL)
    add_row (self, report, report->totals,
             report->totals->label != NULL ? report->totals->label : _ ("Totals"), at,
             "report-strong");
}

static void
show_report (TillReportsView *self, TillReport *report)
{
  g_clear_pointer (&self->report, till_report_unref);
  g_clear_object (&self->chart);
  self->report = till_report_ref (report);
  self->chart = till_chart_new_for_report (report);

  clear_children (self->headline_box);
  for (guint i = 0; i < report->headlines->len; i++)
    add_headline (self, g_ptr_array_index (report->headlines, i));
  gtk_widget_set_visible (self->headline_box, report->headlines->len > 0);
  till_chart_view_set_chart (self->chart_view, self->chart);
  show_table (self, report);
  gtk_widget_set_sensitive (self->export_box, TRUE);
}

static void
clear_report (TillReportsView *self)
{
  g_clear_pointer (&self->report, till_report_unref);
  g_clear_object (&self->chart);
  till_chart_view_set_chart (self->chart_view, NULL);
  clear_children (self->headline_box);
  clear_children (self->table_grid);
  gtk_widget_set_sensitive (self->export_box, FALSE);
}

/* ---- Running: the refresh, then the query -------------------------------- */

static void
query_in_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  QueryData *data = task_data;
  g_autoptr (TillReportReader) reader = NULL;
  g_autoptr (GError) error = NULL;
  TillReport *report;

  reader = till_report_reader_new (data->db_path, &error);
  if (reader == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  report = till_report_reader_run (reader, &data->query, cancellable, &error);
  if (report == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, report, (GDestroyNotify) till_report_unref);
}

static void
query_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TillReportsView *self = TILL_REPORTS_VIEW (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillReport) report = g_task_propagate_pointer (G_TASK (result), &error);

  /* A run started since (or the page went away): this one is stale. */
  if (self->cancellable == NULL || g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;
  g_clear_object (&self->cancellable);
  update_busy (self);
  if (report == NULL)
    {
      set_message (self, error->message, TRUE);
      return;
    }
  set_message (self, NULL, FALSE);
  show_report (self, report);
}

static void
start_query (TillReportsView *self)
{
  g_autoptr (GTask) task = NULL;
  QueryData *data = g_new0 (QueryData, 1);

  data->db_path = g_strdup (till_store_get_path (get_store (self)));
  data->from_day = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->from_entry))));
  data->to_day = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->to_entry))));
  data->query.kind = self->kind;
  data->query.from_day = data->from_day;
  data->query.to_day = data->to_day;
  data->query.period = self->period;

  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, query_done_cb, NULL);
  g_task_set_source_tag (task, start_query);
  g_task_set_task_data (task, data, (GDestroyNotify) query_data_free);
  g_task_run_in_thread (task, query_in_thread);
  update_busy (self);
}

static void
show_refresh_progress (TillReportsView *self, gint64 pending)
{
  g_autofree char *text = NULL;
  double           done =
      self->refresh_total > 0 ? 1.0 - (double) pending / (double) self->refresh_total : 1.0;

  text = g_strdup_printf (_ ("Bringing the figures up to date: %" PRId64 " sales to go"), pending);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), CLAMP (done, 0.0, 1.0));
  gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress_bar), text);
}

static gboolean
refresh_step_cb (gpointer user_data)
{
  TillReportsView *self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean done = FALSE;
  gint64   pending;

  if (!till_report_refresh (get_store (self), REFRESH_CHUNK, &done, &error))
    {
      self->refresh_source = 0;
      update_busy (self);
      set_message (self, error->message, TRUE);
      return G_SOURCE_REMOVE;
    }
  if (!done)
    {
      pending = till_report_count_pending (get_store (self), &error);
      if (pending < 0 || error != NULL)
        pending = 0;
      show_refresh_progress (self, pending);
      return G_SOURCE_CONTINUE;
    }
  self->refresh_source = 0;
  start_query (self);
  return G_SOURCE_REMOVE;
}

static void
run_report (TillReportsView *self)
{
  g_autoptr (GError) error = NULL;

  if (!self->allowed)
    {
      set_message (self, _ ("Reports need a supervisor’s approval."), TRUE);
      return;
    }
  /* The query under way asked for something else: its answer is not wanted. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  set_message (self, NULL, FALSE);
  /* A refresh under way goes on, and the query starts when it is done. */
  if (self->refresh_source != 0)
    return;

  self->refresh_total = till_report_count_pending (get_store (self), &error);
  if (error != NULL)
    {
      set_message (self, error->message, TRUE);
      update_busy (self);
      return;
    }
  show_refresh_progress (self, self->refresh_total);
  self->refresh_source = g_idle_add (refresh_step_cb, self);
  update_busy (self);
}

/* ---- Permission ---------------------------------------------------------- */

static void
show_denied (TillReportsView *self, const char *message, gboolean may_ask)
{
  self->allowed = FALSE;
  stop_work (self);
  update_busy (self);
  clear_report (self);
  gtk_label_set_text (GTK_LABEL (self->denied_label), message);
  gtk_widget_set_visible (self->approve_button, may_ask);
  gtk_widget_set_visible (self->export_box, FALSE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->page_stack), "denied");
  /* Kept for the tests; the page says it in large, not twice. */
  set_message (self, NULL, FALSE);
  self->message = g_strdup (message);
}

static void
show_allowed (TillReportsView *self)
{
  self->allowed = TRUE;
  gtk_widget_set_visible (self->export_box, TRUE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->page_stack), "report");
  run_report (self);
}

static void
override_destroyed_cb (TillReportsView *self)
{
  self->override_dialog = NULL;
}

/* The supervisor approved: the same check again, with the approval. */
static void
override_approved_cb (TillReportsView *self, TillOverrideDialog *dialog)
{
  g_autoptr (GError) error = NULL;
  TillOverride override;

  if (!till_override_dialog_get_override (dialog, &override))
    return;
  if (!till_permission_approve (get_store (self), till_session_get_journal (self->session),
                                get_user (self), TILL_PERMISSION_VIEW_REPORTS, 0, &override,
                                &error))
    {
      if (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE) ||
          till_permission_error_needs_override (error))
        {
          till_override_dialog_show_error (dialog, error->message);
          return;
        }
      set_message (self, error->message, TRUE);
    }
  else
    show_allowed (self);
  if (self->override_dialog == dialog)
    gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
approve_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReportsView *self = TILL_REPORTS_VIEW (widget);
  GtkRoot         *root = gtk_widget_get_root (widget);

  if (self->allowed || get_user (self) == NULL)
    return;
  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  self->override_dialog = till_override_dialog_new (
      GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
      till_permission_get_label (TILL_PERMISSION_VIEW_REPORTS),
      gtk_label_get_text (GTK_LABEL (self->denied_label)), TILL_REASON_OTHER);
  g_signal_connect_object (self->override_dialog, "approved", G_CALLBACK (override_approved_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->override_dialog, "destroy", G_CALLBACK (override_destroyed_cb),
                           self, G_CONNECT_SWAPPED);
}

/* ---- Export -------------------------------------------------------------- */

static gboolean
export_report (TillReportsView *self, const char *path, GError **error)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (self->report == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _ ("Run a report first."));
      return FALSE;
    }
  if (g_str_has_suffix (lower, ".png"))
    return till_chart_save_png (self->chart, path, PNG_WIDTH, PNG_HEIGHT, error);
  if (g_str_has_suffix (lower, ".pdf"))
    return till_chart_save_pdf (self->chart, path, PDF_WIDTH_PT, PDF_HEIGHT_PT, error);
  if (g_str_has_suffix (lower, ".csv"))
    return till_sheet_write_report (self->report, path, TILL_SHEET_CSV, error);
  if (g_str_has_suffix (lower, ".xlsx"))
    return till_sheet_write_report (self->report, path, TILL_SHEET_XLSX, error);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _ ("Give the file a name ending in .png, .pdf, .csv or .xlsx."));
  return FALSE;
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReportsView *self = TILL_REPORTS_VIEW (widget);
  const char      *path = g_variant_get_string (parameter, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  if (!self->allowed)
    {
      set_message (self, _ ("Reports need a supervisor’s approval."), TRUE);
      return;
    }
  if (!export_report (self, path, &error))
    {
      set_message (self, error->message, TRUE);
      return;
    }
  name = g_path_get_basename (path);
  text = g_strdup_printf (_ ("Saved %s."), name);
  set_message (self, text, FALSE);
}

static void
chooser_response_cb (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  TillReportsView *self = user_data;
  /* Dropped below while it still emits this signal. */
  g_autoptr (GtkFileChooserNative) keep = g_object_ref (GTK_FILE_CHOOSER_NATIVE (dialog));
  g_autoptr (GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  if (file != NULL)
    path = g_file_get_path (file);
  g_clear_object (&self->chooser);
  if (path != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "reports.export", "s", path);
}

static void
save_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReportsView *self = TILL_REPORTS_VIEW (widget);
  const char      *extension = g_variant_get_string (parameter, NULL);
  GtkRoot         *root = gtk_widget_get_root (widget);
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *pattern = g_strdup_printf ("*.%s", extension);
  g_autofree char *name = NULL;

  if (self->report == NULL)
    {
      set_message (self, _ ("Run a report first."), TRUE);
      return;
    }
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  name = g_strdup_printf ("%s_%s_%s.%s", till_report_kind_to_string (self->report->kind),
                          self->report->from_day, self->report->to_day, extension);
  self->chooser = gtk_file_chooser_native_new (
      _ ("Export the report"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
      GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Save"), _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  gtk_file_filter_add_pattern (filter, pattern);
  gtk_file_filter_set_name (filter, pattern);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- The choices --------------------------------------------------------- */

static void
kind_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReportsView *self = TILL_REPORTS_VIEW (widget);
  TillReportKind   kind;

  if (!till_report_kind_from_string (g_variant_get_string (parameter, NULL), &kind))
    {
      set_message (self, _ ("There is no such report."), TRUE);
      return;
    }
  self->kind = kind;
  sync_choices (self);
  run_report (self);
}

static void
preset_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReportsView *self = TILL_REPORTS_VIEW (widget);
  const char      *id = g_variant_get_string (parameter, NULL);

  for (int i = 0; i < N_PRESETS; i++)
    if (g_str_equal (id, presets[i].id))
      {
        apply_preset (self, i);
        sync_choices (self);
        run_report (self);
        return;
      }
  set_message (self, _ ("There is no such range."), TRUE);
}

static void
range_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReportsView *self = TILL_REPORTS_VIEW (widget);
  const char      *from_day = NULL;
  const char      *to_day = NULL;

  g_variant_get (parameter, "(&s&s)", &from_day, &to_day);
  set_days (self, from_day, to_day);
  self->preset = -1;
  sync_choices (self);
  run_report (self);
}

static void
period_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReportsView *self = TILL_REPORTS_VIEW (widget);
  const char      *id = g_variant_get_string (parameter, NULL);

  for (guint i = 0; i < N_PERIODS; i++)
    if (g_str_equal (id, periods[i].id))
      {
        self->period = i;
        sync_choices (self);
        run_report (self);
        return;
      }
  set_message (self, _ ("Choose day, week or month."), TRUE);
}

static void
run_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillReportsView *self = TILL_REPORTS_VIEW (widget);

  /* Days typed by hand no longer match a preset. */
  self->preset = -1;
  sync_choices (self);
  run_report (self);
}

static void
close_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_CLOSED], 0);
}

/* Enter in a day entry: as the Run button. */
static void
entry_activated_cb (TillReportsView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "reports.run", NULL);
}

/* A tap on a toggle: the action decides, and sync_choices() shows it. */
static void
choice_clicked_cb (GtkWidget *button, TillReportsView *self)
{
  const char *action = g_object_get_data (G_OBJECT (button), "action");
  const char *target = g_object_get_data (G_OBJECT (button), "target");

  gtk_widget_activate_action (GTK_WIDGET (self), action, "s", target);
}

static GtkWidget *
choice_button_new (TillReportsView *self,
                   GtkWidget       *box,
                   const char      *label,
                   const char      *action,
                   const char      *target)
{
  GtkWidget *button = gtk_toggle_button_new_with_label (label);
  GtkWidget *child = gtk_button_get_child (GTK_BUTTON (button));

  /* Chinese or English, long titles wrap rather than widen the column. */
  if (GTK_IS_LABEL (child))
    {
      gtk_label_set_wrap (GTK_LABEL (child), TRUE);
      gtk_label_set_justify (GTK_LABEL (child), GTK_JUSTIFY_CENTER);
    }
  gtk_widget_set_size_request (button, -1, 48);
  gtk_widget_add_css_class (button, "category-button");
  g_object_set_data (G_OBJECT (button), "action", (gpointer) action);
  g_object_set_data_full (G_OBJECT (button), "target", g_strdup (target), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (choice_clicked_cb), self);
  gtk_box_append (GTK_BOX (box), button);
  return button;
}

static void
build_choices (TillReportsView *self)
{
  for (guint i = 0; i < TILL_N_REPORT_KINDS; i++)
    self->kind_buttons[i] = choice_button_new (self, self->kind_box, till_report_kind_get_title (i),
                                               "reports.kind", till_report_kind_to_string (i));
  for (guint i = 0; i < N_PRESETS; i++)
    self->preset_buttons[i] = choice_button_new (self, self->preset_box, _ (presets[i].label),
                                                 "reports.preset", presets[i].id);
  for (guint i = 0; i < N_PERIODS; i++)
    {
      self->period_buttons[i] = choice_button_new (self, self->period_box, _ (periods[i].label),
                                                   "reports.period", periods[i].id);
      gtk_widget_set_size_request (self->period_buttons[i], 72, 48);
    }
}

/* ---- The object ---------------------------------------------------------- */

static void
till_reports_view_dispose (GObject *object)
{
  TillReportsView *self = TILL_REPORTS_VIEW (object);
  GtkWidget       *child;

  stop_work (self);
  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_REPORTS_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->report, till_report_unref);
  g_clear_object (&self->chart);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (till_reports_view_parent_class)->dispose (object);
}

static void
till_reports_view_finalize (GObject *object)
{
  TillReportsView *self = TILL_REPORTS_VIEW (object);

  g_free (self->message);
  G_OBJECT_CLASS (till_reports_view_parent_class)->finalize (object);
}

static void
till_reports_view_class_init (TillReportsViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_reports_view_dispose;
  object_class->finalize = till_reports_view_finalize;

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (TILL_TYPE_CHART_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-reports-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TillReportsView, message_label);
  gtk_widget_class_bind_template_child (widget_class, TillReportsView, page_stack);
  gtk_widget_class_bind_template_child (widget_class, TillReportsView, denied_label);
  gtk_widget_class_bind_template_child (widget_class, TillReportsView, approve_button);
  gtk_widget_class_bind_template_child (widget_class, TillReportsView, export_box);
  gtk_widget_class_bind_template_child (widget_class, TillReportsView, kind_box);
  gtk_widget_class_bind_template_child (widget_class, TillReportsView, preset_box);
  gtk_widget_class_bind_template_child (widget_class, TillReportsView, from_entry);
  gtk_widget_class_bind_template_child (widget_class, TillReportsView, to_entry);
  gtk_widget_class_bind_template_child (widget_class, TillReportsView, period_box);
  gtk_widget_class_bind_template_child (widget_class, TillReportsView, spinner);
  gtk_widget_class_bind_template_child (widget_class, TillReportsView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, TillReportsView, headline_box);
  gtk_widget_class_bind_template_child (widget_class, TillReportsView, table_grid);
  gtk_widget_class_bind_template_child (widget_class, TillReportsView, chart_view);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_install_action (widget_class, "reports.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "reports.kind", "s", kind_action);
  gtk_widget_class_install_action (widget_class, "reports.preset", "s", preset_action);
  gtk_widget_class_install_action (widget_class, "reports.range", "(ss)", range_action);
  gtk_widget_class_install_action (widget_class, "reports.period", "s", period_action);
  gtk_widget_class_install_action (widget_class, "reports.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "reports.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "reports.save", "s", save_action);
  gtk_widget_class_install_action (widget_class, "reports.approve", NULL, approve_action);
}

static void
till_reports_view_init (TillReportsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->kind = TILL_REPORT_SALES_BY_PERIOD;
  self->period = TILL_REPORT_PERIOD_DAY;
  build_choices (self);
  g_signal_connect_swapped (self->from_entry, "activate", G_CALLBACK (entry_activated_cb), self);
  g_signal_connect_swapped (self->to_entry, "activate", G_CALLBACK (entry_activated_cb), self);
  apply_preset (self, PRESET_LAST_7_DAYS);
  sync_choices (self);
  clear_report (self);
  gtk_widget_set_visible (self->spinner, FALSE);
}

void
till_reports_view_set_session (TillReportsView *self, TillSession *session)
{
  g_return_if_fail (TILL_IS_REPORTS_VIEW (self));
  g_return_if_fail (TILL_IS_SESSION (session));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
}

void
till_reports_view_reset (TillReportsView *self)
{
  g_autoptr (GError) error = NULL;
  TillUser *user;

  g_return_if_fail (TILL_IS_REPORTS_VIEW (self));

  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  set_message (self, NULL, FALSE);
  /* Another user, or another day: the approval and the range start again. */
  self->allowed = FALSE;
  if (self->preset >= 0)
    apply_preset (self, self->preset);
  sync_choices (self);
  user = get_user (self);
  if (user == NULL)
    {
      show_denied (self, _ ("Sign in first."), FALSE);
      return;
    }
  if (!till_permission_approve (get_store (self), NULL, user, TILL_PERMISSION_VIEW_REPORTS, 0, NULL,
                                &error))
    {
      show_denied (self, error->message, till_permission_error_needs_override (error));
      return;
    }
  show_allowed (self);
}

TillReport *
till_reports_view_get_report (TillReportsView *self)
{
  g_return_val_if_fail (TILL_IS_REPORTS_VIEW (self), NULL);

  return self->report;
}

gboolean
till_reports_view_is_busy (TillReportsView *self)
{
  g_return_val_if_fail (TILL_IS_REPORTS_VIEW (self), FALSE);

  return is_busy (self);
}

const char *
till_reports_view_get_page (TillReportsView *self)
{
  g_return_val_if_fail (TILL_IS_REPORTS_VIEW (self), NULL);

  return gtk_stack_get_visible_child_name (GTK_STACK (self->page_stack));
}

const char *
till_reports_view_get_message (TillReportsView *self)
{
  g_return_val_if_fail (TILL_IS_REPORTS_VIEW (self), NULL);

  return self->message != NULL && *self->message != '\0' ? self->message : NULL;
}

TillChartView *
till_reports_view_get_chart_view (TillReportsView *self)
{
  g_return_val_if_fail (TILL_IS_REPORTS_VIEW (self), NULL);

  return self->chart_view;
}

TillOverrideDialog *
till_reports_view_get_override_dialog (TillReportsView *self)
{
  g_return_val_if_fail (TILL_IS_REPORTS_VIEW (self), NULL);

  return self->override_dialog;
}
