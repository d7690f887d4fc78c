/* till-ui-test-util.c: waiting and screenshots for the UI suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "till-test-util.h"
#include "till-ui-test-util.h"

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
till_test_wait_until (TillTestPredicate predicate, gpointer data, guint timeout_ms)
{
  gint64   deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint    wake = g_timeout_add (10, wake_cb, NULL);
  gboolean ok;

  /* The wake-up source keeps the iteration from blocking past the deadline. */
  while (!(ok = predicate (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return ok;
}

gboolean
till_test_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

typedef struct
{
  guint paints;
  guint wanted;
} FrameCount;

static void
after_paint_cb (GdkFrameClock *clock, FrameCount *count)
{
  count->paints++;
}

static gboolean
enough_frames (gpointer data)
{
  FrameCount *count = data;

  return count->paints >= count->wanted;
}

void
till_test_wait_for_frames (GtkWidget *widget, guint n)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  FrameCount     count = { 0, n };
  gint64         deadline = g_get_monotonic_time () + (gint64) TILL_TEST_WAIT_MS * 1000;
  gulong         handler;

  ck_assert_ptr_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &count);
  /* Under Xvfb with no window manager a queued draw alone sometimes paints
   * nothing: ask the frame clock for a paint every 100 ms until enough came. */
  while (count.paints < n && g_get_monotonic_time () < deadline)
    {
      gtk_widget_queue_draw (widget);
      gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
      till_test_wait_until (enough_frames, &count, 100);
    }
  g_signal_handler_disconnect (clock, handler);
  ck_assert_msg (count.paints >= n, "no frame painted in time (%u of %u)", count.paints, n);
}

void
till_test_save_screenshot (GtkWidget *widget, const char *name)
{
  till_test_save_screenshot_in (widget, "screenshots", name);
}

void
till_test_save_screenshot_in (GtkWidget *widget, const char *dir, const char *name)
{
  g_autofree char *path = till_test_output_path (dir, name);
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  GtkSnapshot    *snapshot;
  GskRenderNode  *node;
  GskRenderer    *renderer;
  int             width, height;
  graphene_rect_t bounds;

  till_test_wait_for_frames (widget, 2);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  ck_assert_int_gt (width, 0);
  ck_assert_int_gt (height, 0);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  ck_assert_ptr_nonnull (node);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  bounds = GRAPHENE_RECT_INIT (0, 0, width, height);
  texture = gsk_renderer_render_texture (renderer, node, &bounds);
  gsk_render_node_unref (node);
  ck_assert_msg (gdk_texture_save_to_png (texture, path), "cannot write %s", path);
  g_print ("screenshot: %s (%dx%d)\n", path, width, height);
}
