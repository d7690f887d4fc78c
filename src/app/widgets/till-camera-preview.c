/* till-camera-preview.c: the camera's picture, and its state when it has none
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

#include "till-camera-preview.h"

struct _TillCameraPreview
{
  GtkWidget parent_instance;

  GtkWidget *stack;
  GtkWidget *picture;
  GtkWidget *status_page;
  GtkWidget *retry_button;

  TillCameraScanner *scanner;
  GSignalGroup      *scanner_signals;
};

G_DEFINE_FINAL_TYPE (TillCameraPreview, till_camera_preview, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SCANNER,
  N_PROPS
};

enum
{
  SIGNAL_CODE_SCANNED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

/* A frame as a texture, on the main thread. GTK 4.8 has no grey memory format:
 * grey is widened to RGB (a 640×480 frame takes about a millisecond). */
static GdkTexture *
texture_from_frame (TillCameraFrame *frame)
{
  guint   width = till_camera_frame_get_width (frame);
  guint   height = till_camera_frame_get_height (frame);
  gsize   stride = till_camera_frame_get_stride (frame);
  GBytes *pixels = till_camera_frame_get_pixels (frame);
  g_autoptr (GBytes) rgb_bytes = NULL;
  const guint8 *grey;
  guint8       *rgb;

  if (till_camera_frame_get_format (frame) == TILL_CAMERA_FRAME_RGB)
    return gdk_memory_texture_new ((int) width, (int) height, GDK_MEMORY_R8G8B8, pixels, stride);

  grey = g_bytes_get_data (pixels, NULL);
  rgb = g_malloc ((gsize) width * height * 3);
  for (guint y = 0; y < height; y++)
    {
      const guint8 *in = grey + y * stride;
      guint8       *out = rgb + (gsize) y * width * 3;

      for (guint x = 0; x < width; x++)
        out[3 * x] = out[3 * x + 1] = out[3 * x + 2] = in[x];
    }
  rgb_bytes = g_bytes_new_take (rgb, (gsize) width * height * 3);
  return gdk_memory_texture_new ((int) width, (int) height, GDK_MEMORY_R8G8B8, rgb_bytes,
                                 (gsize) width * 3);
}

static void
update_state (TillCameraPreview *self)
{
  TillCameraState state = self->scanner != NULL ? till_camera_scanner_get_state (self->scanner)
                                                : TILL_CAMERA_STATE_STOPPED;
  const char     *detail =
      self->scanner != NULL ? till_camera_scanner_get_error_message (self->scanner) : NULL;
  AdwStatusPage *page = ADW_STATUS_PAGE (self->status_page);
  gboolean       show_picture = FALSE;
  gboolean       can_retry = FALSE;

  switch (state)
    {
    case TILL_CAMERA_STATE_RUNNING:
      /* Until the first frame, the empty picture is the honest view. */
      show_picture = TRUE;
      break;
    case TILL_CAMERA_STATE_STARTING:
      adw_status_page_set_title (page, _ ("Starting the camera…"));
      adw_status_page_set_description (page, NULL);
      break;
    case TILL_CAMERA_STATE_NO_CAMERA:
      adw_status_page_set_title (page, _ ("No camera"));
      adw_status_page_set_description (
          page, detail != NULL ? detail : _ ("No camera is connected to this till."));
      can_retry = TRUE;
      break;
    case TILL_CAMERA_STATE_UNPLUGGED:
      adw_status_page_set_title (page, _ ("Camera unplugged"));
      adw_status_page_set_description (
          page, detail != NULL ? detail : _ ("Plug the camera back in, then retry."));
      can_retry = TRUE;
      break;
    case TILL_CAMERA_STATE_STOPPED:
    default:
      adw_status_page_set_title (page, self->scanner != NULL ? _ ("Camera off") : _ ("No camera"));
      adw_status_page_set_description (page, NULL);
      can_retry = self->scanner != NULL;
      break;
    }
  gtk_widget_set_visible (self->retry_button, can_retry);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), show_picture ? "picture" : "status");
  if (!show_picture)
    gtk_picture_set_paintable (GTK_PICTURE (self->picture), NULL);
}

static void
frame_cb (TillCameraScanner *scanner, TillCameraFrame *frame, TillCameraPreview *self)
{
  g_autoptr (GdkTexture) texture = texture_from_frame (frame);

  gtk_picture_set_paintable (GTK_PICTURE (self->picture), GDK_PAINTABLE (texture));
}

static void
code_scanned_cb (TillCameraScanner *scanner, const char *code, TillCameraPreview *self)
{
  g_signal_emit (self, signals[SIGNAL_CODE_SCANNED], 0, code);
}

static void
state_changed_cb (TillCameraScanner *scanner, GParamSpec *pspec, TillCameraPreview *self)
{
  update_state (self);
}

static void
retry_clicked_cb (TillCameraPreview *self)
{
  if (self->scanner != NULL)
    till_camera_scanner_start (self->scanner);
}

static void
till_camera_preview_dispose (GObject *object)
{
  TillCameraPreview *self = TILL_CAMERA_PREVIEW (object);

  if (self->scanner_signals != NULL)
    g_signal_group_set_target (self->scanner_signals, NULL);
  g_clear_object (&self->scanner_signals);
  g_clear_object (&self->scanner);
  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_CAMERA_PREVIEW);

  G_OBJECT_CLASS (till_camera_preview_parent_class)->dispose (object);
}

static void
till_camera_preview_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillCameraPreview *self = TILL_CAMERA_PREVIEW (object);

  switch (prop_id)
    {
    case PROP_SCANNER:
      g_value_set_object (value, self->scanner);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_camera_preview_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TillCameraPreview *self = TILL_CAMERA_PREVIEW (object);

  switch (prop_id)
    {
    case PROP_SCANNER:
      till_camera_preview_set_scanner (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_camera_preview_class_init (TillCameraPreviewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_camera_preview_dispose;
  object_class->get_property = till_camera_preview_get_property;
  object_class->set_property = till_camera_preview_set_property;

  properties[PROP_SCANNER] =
      g_param_spec_object ("scanner", NULL, NULL, TILL_TYPE_CAMERA_SCANNER,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CODE_SCANNED] =
      g_signal_new ("code-scanned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (ADW_TYPE_STATUS_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-camera-preview.ui");
  gtk_widget_class_bind_template_child (widget_class, TillCameraPreview, stack);
  gtk_widget_class_bind_template_child (widget_class, TillCameraPreview, picture);
  gtk_widget_class_bind_template_child (widget_class, TillCameraPreview, status_page);
  gtk_widget_class_bind_template_child (widget_class, TillCameraPreview, retry_button);
  gtk_widget_class_bind_template_callback (widget_class, retry_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "camerapreview");
}

static void
till_camera_preview_init (TillCameraPreview *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->scanner_signals = g_signal_group_new (TILL_TYPE_CAMERA_SCANNER);
  g_signal_group_connect (self->scanner_signals, "frame", G_CALLBACK (frame_cb), self);
  g_signal_group_connect (self->scanner_signals, "code-scanned", G_CALLBACK (code_scanned_cb),
                          self);
  g_signal_group_connect (self->scanner_signals, "notify::state", G_CALLBACK (state_changed_cb),
                          self);
  g_signal_group_connect (self->scanner_signals, "notify::error-message",
                          G_CALLBACK (state_changed_cb), self);
  update_state (self);
}

GtkWidget *
till_camera_preview_new (void)
{
  return g_object_new (TILL_TYPE_CAMERA_PREVIEW, NULL);
}

/* Returns: (transfer none) (nullable): the scanner shown */
TillCameraScanner *
till_camera_preview_get_scanner (TillCameraPreview *self)
{
  g_return_val_if_fail (TILL_IS_CAMERA_PREVIEW (self), NULL);
  return self->scanner;
}

/**
 * till_camera_preview_set_scanner:
 * @scanner: (nullable): the scanner to show, or NULL for the "no camera" state
 */
void
till_camera_preview_set_scanner (TillCameraPreview *self, TillCameraScanner *scanner)
{
  g_return_if_fail (TILL_IS_CAMERA_PREVIEW (self));
  g_return_if_fail (scanner == NULL || TILL_IS_CAMERA_SCANNER (scanner));

  if (!g_set_object (&self->scanner, scanner))
    return;
  g_signal_group_set_target (self->scanner_signals, scanner);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCANNER]);
}
