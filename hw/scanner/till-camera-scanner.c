/* till-camera-scanner.c: QR codes read from camera frames, off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-scanner"

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <zbar.h>

#include "till-camera-scanner.h"

/* ---- Frames ---------------------------------------------------------------- */

struct _TillCameraFrame
{
  gatomicrefcount       ref_count;
  TillCameraFrameFormat format;
  guint                 width;
  guint                 height;
  gsize                 stride;
  GBytes               *pixels;
  gint64                timestamp_us;
};

G_DEFINE_BOXED_TYPE (TillCameraFrame,
                     till_camera_frame,
                     till_camera_frame_ref,
                     till_camera_frame_unref)

static guint
bytes_per_pixel (TillCameraFrameFormat format)
{
  return format == TILL_CAMERA_FRAME_RGB ? 3 : 1;
}

/**
 * till_camera_frame_new:
 * @pixels: at least @stride × (@height − 1) + @width × bytes-per-pixel bytes
 *
 * Returns: (transfer full): a frame holding a reference to @pixels
 */
TillCameraFrame *
till_camera_frame_new (TillCameraFrameFormat format,
                       guint                 width,
                       guint                 height,
                       gsize                 stride,
                       GBytes               *pixels,
                       gint64                timestamp_us)
{
  TillCameraFrame *frame;

  g_return_val_if_fail (format == TILL_CAMERA_FRAME_GREY || format == TILL_CAMERA_FRAME_RGB, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (stride >= (gsize) width * bytes_per_pixel (format), NULL);
  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (g_bytes_get_size (pixels) >=
                            stride * (height - 1) + (gsize) width * bytes_per_pixel (format),
                        NULL);

  frame = g_new0 (TillCameraFrame, 1);
  g_atomic_ref_count_init (&frame->ref_count);
  frame->format = format;
  frame->width = width;
  frame->height = height;
  frame->stride = stride;
  frame->pixels = g_bytes_ref (pixels);
  frame->timestamp_us = timestamp_us;
  return frame;
}

TillCameraFrame *
till_camera_frame_ref (TillCameraFrame *frame)
{
  g_return_val_if_fail (frame != NULL, NULL);
  g_atomic_ref_count_inc (&frame->ref_count);
  return frame;
}

void
till_camera_frame_unref (TillCameraFrame *frame)
{
  g_return_if_fail (frame != NULL);
  if (!g_atomic_ref_count_dec (&frame->ref_count))
    return;
  g_bytes_unref (frame->pixels);
  g_free (frame);
}

TillCameraFrameFormat
till_camera_frame_get_format (TillCameraFrame *frame)
{
  g_return_val_if_fail (frame != NULL, TILL_CAMERA_FRAME_GREY);
  return frame->format;
}

guint
till_camera_frame_get_width (TillCameraFrame *frame)
{
  g_return_val_if_fail (frame != NULL, 0);
  return frame->width;
}

guint
till_camera_frame_get_height (TillCameraFrame *frame)
{
  g_return_val_if_fail (frame != NULL, 0);
  return frame->height;
}

gsize
till_camera_frame_get_stride (TillCameraFrame *frame)
{
  g_return_val_if_fail (frame != NULL, 0);
  return frame->stride;
}

/* Returns: (transfer none): the pixels */
GBytes *
till_camera_frame_get_pixels (TillCameraFrame *frame)
{
  g_return_val_if_fail (frame != NULL, NULL);
  return frame->pixels;
}

gint64
till_camera_frame_get_timestamp_us (TillCameraFrame *frame)
{
  g_return_val_if_fail (frame != NULL, 0);
  return frame->timestamp_us;
}

G_DEFINE_QUARK (till - camera - error - quark, till_camera_error)

/* ---- Frame sources --------------------------------------------------------- */

typedef enum
{
  SOURCE_V4L2,
  SOURCE_PUSH,
} SourceKind;

struct _TillCameraSource
{
  gatomicrefcount ref_count;
  SourceKind      kind;
  char           *name;

  /* V4L2: used by the scanner's worker thread only. */
  zbar_video_t *video;

  /* Push: shared between the pushing thread and the worker. */
  GMutex   lock;
  GCond    cond;
  GQueue   frames;
  char    *unplug_message; /* non-NULL: fail after the queued frames */
  gboolean missing;
};

TillCameraSource *
till_camera_source_new_v4l2 (const char *device)
{
  TillCameraSource *source;

  g_return_val_if_fail (device != NULL, NULL);

  source = g_new0 (TillCameraSource, 1);
  g_atomic_ref_count_init (&source->ref_count);
  source->kind = SOURCE_V4L2;
  source->name = g_strdup (device);
  g_mutex_init (&source->lock);
  g_cond_init (&source->cond);
  return source;
}

TillCameraSource *
till_camera_source_new_push (void)
{
  TillCameraSource *source = g_new0 (TillCameraSource, 1);

  g_atomic_ref_count_init (&source->ref_count);
  source->kind = SOURCE_PUSH;
  source->name = g_strdup ("pushed frames");
  g_mutex_init (&source->lock);
  g_cond_init (&source->cond);
  return source;
}

TillCameraSource *
till_camera_source_ref (TillCameraSource *source)
{
  g_return_val_if_fail (source != NULL, NULL);
  g_atomic_ref_count_inc (&source->ref_count);
  return source;
}

void
till_camera_source_unref (TillCameraSource *source)
{
  g_return_if_fail (source != NULL);
  if (!g_atomic_ref_count_dec (&source->ref_count))
    return;
  if (source->video != NULL)
    zbar_video_destroy (source->video);
  g_queue_clear_full (&source->frames, (GDestroyNotify) till_camera_frame_unref);
  g_free (source->unplug_message);
  g_mutex_clear (&source->lock);
  g_cond_clear (&source->cond);
  g_free (source->name);
  g_free (source);
}

const char *
till_camera_source_get_name (TillCameraSource *source)
{
  g_return_val_if_fail (source != NULL, NULL);
  return source->name;
}

void
till_camera_source_push_frame (TillCameraSource *source, TillCameraFrame *frame)
{
  g_return_if_fail (source != NULL && source->kind == SOURCE_PUSH);
  g_return_if_fail (frame != NULL);

  g_mutex_lock (&source->lock);
  g_queue_push_tail (&source->frames, till_camera_frame_ref (frame));
  g_cond_signal (&source->cond);
  g_mutex_unlock (&source->lock);
}

void
till_camera_source_push_unplug (TillCameraSource *source, const char *message)
{
  g_return_if_fail (source != NULL && source->kind == SOURCE_PUSH);
  g_return_if_fail (message != NULL);

  g_mutex_lock (&source->lock);
  g_free (source->unplug_message);
  source->unplug_message = g_strdup (message);
  g_cond_signal (&source->cond);
  g_mutex_unlock (&source->lock);
}

void
till_camera_source_set_missing (TillCameraSource *source, gboolean missing)
{
  g_return_if_fail (source != NULL && source->kind == SOURCE_PUSH);

  g_mutex_lock (&source->lock);
  source->missing = missing;
  g_mutex_unlock (&source->lock);
}

static gboolean
v4l2_open (TillCameraSource *source, GError **error)
{
  zbar_video_t *video = zbar_video_create ();

  /* 640×480 is plenty for a QR code held up to a till camera, and keeps each
   * decode at a few milliseconds. */
  zbar_video_request_size (video, 640, 480);
  if (zbar_video_open (video, source->name) != 0)
    {
      g_set_error (error, TILL_CAMERA_ERROR, TILL_CAMERA_ERROR_NO_CAMERA,
                   "Cannot open the camera %s: %s", source->name,
                   zbar_video_error_string (video, 0));
      zbar_video_destroy (video);
      return FALSE;
    }
  /* With no window, zbar picks the capture format that is cheapest to turn
   * into the grey image its scanner reads. */
  if (zbar_negotiate_format (video, NULL) != 0 || zbar_video_enable (video, 1) != 0)
    {
      g_set_error (error, TILL_CAMERA_ERROR, TILL_CAMERA_ERROR_NO_CAMERA,
                   "The camera %s cannot start capturing: %s", source->name,
                   zbar_video_error_string (video, 0));
      zbar_video_destroy (video);
      return FALSE;
    }
  source->video = video;
  return TRUE;
}

static TillCameraFrame *
v4l2_next_frame (TillCameraSource *source, guint timeout_ms, GError **error)
{
  struct pollfd    pfd = { .fd = zbar_video_get_fd (source->video), .events = POLLIN };
  zbar_image_t    *image;
  zbar_image_t    *grey;
  GBytes          *pixels;
  guint            width;
  guint            height;
  TillCameraFrame *frame;
  int              ready;

  /* zbar_video_next_image() blocks until a frame comes: wait for one with a
   * timeout first, so that a stalled camera never holds the worker forever. */
  ready = poll (&pfd, 1, (int) timeout_ms);
  if (ready == 0 || (ready < 0 && errno == EINTR))
    return NULL;
  if (ready < 0 || (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)))
    {
      g_set_error (error, TILL_CAMERA_ERROR, TILL_CAMERA_ERROR_UNPLUGGED,
                   "The camera %s stopped delivering pictures (unplugged?)", source->name);
      return NULL;
    }
  image = zbar_video_next_image (source->video);
  if (image == NULL)
    {
      g_set_error (error, TILL_CAMERA_ERROR, TILL_CAMERA_ERROR_UNPLUGGED,
                   "The camera %s stopped delivering pictures: %s", source->name,
                   zbar_video_error_string (source->video, 0));
      return NULL;
    }
  grey = zbar_image_convert (image, zbar_fourcc ('Y', '8', '0', '0'));
  zbar_image_destroy (image); /* hands the capture buffer back to the driver */
  if (grey == NULL)
    {
      g_set_error (error, TILL_CAMERA_ERROR, TILL_CAMERA_ERROR_FAILED,
                   "The camera %s sends pictures in a format zbar cannot convert", source->name);
      return NULL;
    }
  width = zbar_image_get_width (grey);
  height = zbar_image_get_height (grey);
  pixels = g_bytes_new (zbar_image_get_data (grey), (gsize) width * height);
  zbar_image_destroy (grey);
  frame = till_camera_frame_new (TILL_CAMERA_FRAME_GREY, width, height, width, pixels,
                                 g_get_monotonic_time ());
  g_bytes_unref (pixels);
  return frame;
}

static void
v4l2_close (TillCameraSource *source)
{
  if (source->video == NULL)
    return;
  zbar_video_enable (source->video, 0);
  zbar_video_destroy (source->video);
  source->video = NULL;
}

static gboolean
push_open (TillCameraSource *source, GError **error)
{
  gboolean ok;

  g_mutex_lock (&source->lock);
  ok = !source->missing;
  g_mutex_unlock (&source->lock);
  if (!ok)
    g_set_error (error, TILL_CAMERA_ERROR, TILL_CAMERA_ERROR_NO_CAMERA,
                 "Cannot open the camera %s: no such device", source->name);
  return ok;
}

static TillCameraFrame *
push_next_frame (TillCameraSource *source, guint timeout_ms, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  TillCameraFrame *frame = NULL;

  g_mutex_lock (&source->lock);
  while (g_queue_is_empty (&source->frames) && source->unplug_message == NULL)
    if (!g_cond_wait_until (&source->cond, &source->lock, deadline))
      break;
  if (!g_queue_is_empty (&source->frames))
    frame = g_queue_pop_head (&source->frames);
  else if (source->unplug_message != NULL)
    {
      g_set_error (error, TILL_CAMERA_ERROR, TILL_CAMERA_ERROR_UNPLUGGED, "%s: %s", source->name,
                   source->unplug_message);
      g_clear_pointer (&source->unplug_message, g_free);
    }
  g_mutex_unlock (&source->lock);
  return frame;
}

static gboolean
source_open (TillCameraSource *source, GError **error)
{
  return source->kind == SOURCE_V4L2 ? v4l2_open (source, error) : push_open (source, error);
}

/* NULL with no error: nothing within @timeout_ms. */
static TillCameraFrame *
source_next_frame (TillCameraSource *source, guint timeout_ms, GError **error)
{
  return source->kind == SOURCE_V4L2 ? v4l2_next_frame (source, timeout_ms, error)
                                     : push_next_frame (source, timeout_ms, error);
}

static void
source_close (TillCameraSource *source)
{
  if (source->kind == SOURCE_V4L2)
    v4l2_close (source);
}

/* ---- The scanner ----------------------------------------------------------- */

/* What the worker shares with the main context. It outlives the scanner while
 * events are still queued: a dropped scanner sets owner to NULL (in the creator's
 * thread, the only one that reads it) and late events are dropped. */
typedef struct
{
  gatomicrefcount    ref_count;
  TillCameraScanner *owner;
  GMainContext      *context;
  GMutex             lock;
  TillCameraFrame   *pending_frame;
  guint              pending_frame_generation;
  gboolean           frame_scheduled;
} Channel;

struct _TillCameraScanner
{
  GObject parent_instance;

  TillCameraSource *source;
  TillQrSymbology   symbologies;
  Channel          *channel;
  GThread          *worker;
  gint              stopping;            /* atomic */
  gint              duplicate_window_ms; /* atomic */
  guint             generation;          /* bumped by stop: events of an older run are dropped */

  TillCameraState state;
  char           *error_message;
};

G_DEFINE_FINAL_TYPE (TillCameraScanner, till_camera_scanner, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

enum
{
  SIGNAL_CODE_SCANNED,
  SIGNAL_FRAME,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

GType
till_camera_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { TILL_CAMERA_STATE_STOPPED, "TILL_CAMERA_STATE_STOPPED", "stopped" },
        { TILL_CAMERA_STATE_STARTING, "TILL_CAMERA_STATE_STARTING", "starting" },
        { TILL_CAMERA_STATE_RUNNING, "TILL_CAMERA_STATE_RUNNING", "running" },
        { TILL_CAMERA_STATE_NO_CAMERA, "TILL_CAMERA_STATE_NO_CAMERA", "no-camera" },
        { TILL_CAMERA_STATE_UNPLUGGED, "TILL_CAMERA_STATE_UNPLUGGED", "unplugged" },
        { 0, NULL, NULL },
      };
      GType type = g_enum_register_static (g_intern_static_string ("TillCameraState"), values);

      g_once_init_leave (&type_id, type);
    }
  return type_id;
}

static Channel *
channel_new (TillCameraScanner *owner)
{
  Channel *channel = g_new0 (Channel, 1);

  g_atomic_ref_count_init (&channel->ref_count);
  channel->owner = owner;
  channel->context = g_main_context_ref_thread_default ();
  g_mutex_init (&channel->lock);
  return channel;
}

static Channel *
channel_ref (Channel *channel)
{
  g_atomic_ref_count_inc (&channel->ref_count);
  return channel;
}

static void
channel_unref (gpointer data)
{
  Channel *channel = data;

  if (!g_atomic_ref_count_dec (&channel->ref_count))
    return;
  g_clear_pointer (&channel->pending_frame, till_camera_frame_unref);
  g_mutex_clear (&channel->lock);
  g_main_context_unref (channel->context);
  g_free (channel);
}

typedef enum
{
  EVENT_CODE,
  EVENT_STATE,
} EventKind;

typedef struct
{
  Channel        *channel;
  guint           generation;
  EventKind       kind;
  char           *text; /* the code, or the error message */
  TillCameraState state;
} Event;

static void
event_free (gpointer data)
{
  Event *event = data;

  channel_unref (event->channel);
  g_free (event->text);
  g_free (event);
}

static void
set_state (TillCameraScanner *self, TillCameraState state, const char *error_message)
{
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (g_strcmp0 (self->error_message, error_message) != 0)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (error_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }
}

static gboolean
dispatch_event_cb (gpointer data)
{
  Event             *event = data;
  TillCameraScanner *self = event->channel->owner;

  if (self == NULL || event->generation != self->generation)
    return G_SOURCE_REMOVE;
  if (event->kind == EVENT_CODE)
    g_signal_emit (self, signals[SIGNAL_CODE_SCANNED], 0, event->text);
  else
    set_state (self, event->state, event->text);
  return G_SOURCE_REMOVE;
}

/* Never g_main_context_invoke(): when nobody iterates the context, it would run
 * the callback right here in the worker thread. */
static void
post_event (
    Channel *channel, guint generation, EventKind kind, TillCameraState state, const char *text)
{
  Event   *event = g_new0 (Event, 1);
  GSource *source = g_idle_source_new ();

  event->channel = channel_ref (channel);
  event->generation = generation;
  event->kind = kind;
  event->state = state;
  event->text = g_strdup (text);
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, dispatch_event_cb, event, event_free);
  g_source_set_static_name (source, "[till] camera scanner event");
  g_source_attach (source, channel->context);
  g_source_unref (source);
}

static gboolean
dispatch_frame_cb (gpointer data)
{
  Channel         *channel = data;
  TillCameraFrame *frame;
  guint            generation;

  g_mutex_lock (&channel->lock);
  frame = g_steal_pointer (&channel->pending_frame);
  generation = channel->pending_frame_generation;
  channel->frame_scheduled = FALSE;
  g_mutex_unlock (&channel->lock);

  if (frame != NULL && channel->owner != NULL && generation == channel->owner->generation)
    g_signal_emit (channel->owner, signals[SIGNAL_FRAME], 0, frame);
  g_clear_pointer (&frame, till_camera_frame_unref);
  return G_SOURCE_REMOVE;
}

/* The preview wants the latest frame, not every frame: a frame the main
 * context has not shown yet is replaced, and at most one idle is queued. */
static void
post_frame (Channel *channel, guint generation, TillCameraFrame *frame)
{
  gboolean schedule;

  g_mutex_lock (&channel->lock);
  g_clear_pointer (&channel->pending_frame, till_camera_frame_unref);
  channel->pending_frame = till_camera_frame_ref (frame);
  channel->pending_frame_generation = generation;
  schedule = !channel->frame_scheduled;
  channel->frame_scheduled = TRUE;
  g_mutex_unlock (&channel->lock);

  if (schedule)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
      g_source_set_callback (source, dispatch_frame_cb, channel_ref (channel), channel_unref);
      g_source_set_static_name (source, "[till] camera frame");
      g_source_attach (source, channel->context);
      g_source_unref (source);
    }
}

/* The grey image the decoder reads: the frame's own pixels, or RGB turned to
 * luma (ITU-R BT.601 weights, in integers). */
static const guint8 *
frame_grey_pixels (TillCameraFrame *frame, gsize *out_stride, guint8 **out_owned)
{
  const guint8 *rgb = g_bytes_get_data (frame->pixels, NULL);
  guint8       *grey;

  *out_owned = NULL;
  if (frame->format == TILL_CAMERA_FRAME_GREY)
    {
      *out_stride = frame->stride;
      return rgb;
    }
  grey = g_malloc ((gsize) frame->width * frame->height);
  for (guint y = 0; y < frame->height; y++)
    {
      const guint8 *row = rgb + y * frame->stride;

      for (guint x = 0; x < frame->width; x++)
        grey[(gsize) y * frame->width + x] =
            (guint8) ((77 * row[3 * x] + 150 * row[3 * x + 1] + 29 * row[3 * x + 2]) >> 8);
    }
  *out_stride = frame->width;
  *out_owned = grey;
  return grey;
}

/* A code counts as new unless the same text was seen within the window before
 * this frame; every sighting renews it, so a code held up to the camera is
 * delivered once, and again only after it has been out of view for the window. */
static gboolean
is_new_sighting (GHashTable *last_seen, const char *code, gint64 now_us, gint64 window_us)
{
  gint64  *seen_us = g_hash_table_lookup (last_seen, code);
  gboolean is_new = seen_us == NULL || now_us - *seen_us > window_us || now_us < *seen_us;

  if (seen_us == NULL)
    {
      seen_us = g_new (gint64, 1);
      g_hash_table_insert (last_seen, g_strdup (code), seen_us);
    }
  *seen_us = now_us;
  return is_new;
}

static gboolean
forget_old_cb (gpointer key, gpointer value, gpointer user_data)
{
  const gint64 *seen_us = value;
  const gint64 *cutoff_us = user_data;

  return *seen_us < *cutoff_us;
}

typedef struct
{
  TillCameraScanner *self; /* alive until the worker is joined */
  Channel           *channel;
  TillCameraSource  *source;
  TillQrSymbology    symbologies;
  guint              generation;
} Worker;

static void
worker_free (Worker *worker)
{
  channel_unref (worker->channel);
  till_camera_source_unref (worker->source);
  g_free (worker);
}

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;
  g_autoptr (TillQrDecoder) decoder =
      till_qr_decoder_new (worker->symbologies, TILL_QR_DEFAULT_DENSITY);
  g_autoptr (GHashTable) last_seen =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GError) error = NULL;

  if (!source_open (worker->source, &error))
    {
      g_debug ("%s", error->message);
      post_event (worker->channel, worker->generation, EVENT_STATE, TILL_CAMERA_STATE_NO_CAMERA,
                  error->message);
      worker_free (worker);
      return NULL;
    }
  post_event (worker->channel, worker->generation, EVENT_STATE, TILL_CAMERA_STATE_RUNNING, NULL);

  while (!g_atomic_int_get (&worker->self->stopping))
    {
      g_autoptr (TillCameraFrame) frame = NULL;
      g_autoptr (GPtrArray) codes = NULL;
      g_autofree guint8 *owned = NULL;
      const guint8      *grey;
      gsize              grey_stride;
      gint64 window_us = (gint64) g_atomic_int_get (&worker->self->duplicate_window_ms) * 1000;

      /* A short wait, so that stop() is answered promptly. */
      frame = source_next_frame (worker->source, 100, &error);
      if (frame == NULL)
        {
          if (error == NULL)
            continue;
          g_debug ("%s", error->message);
          post_event (worker->channel, worker->generation, EVENT_STATE, TILL_CAMERA_STATE_UNPLUGGED,
                      error->message);
          break;
        }

      grey = frame_grey_pixels (frame, &grey_stride, &owned);
      codes = till_qr_decoder_decode_grey (decoder, grey, frame->width, frame->height, grey_stride);
      for (guint i = 0; i < codes->len; i++)
        {
          const char *code = g_ptr_array_index (codes, i);

          if (is_new_sighting (last_seen, code, frame->timestamp_us, window_us))
            post_event (worker->channel, worker->generation, EVENT_CODE, 0, code);
        }
      if (g_hash_table_size (last_seen) > 64)
        {
          gint64 cutoff_us = frame->timestamp_us - window_us;

          g_hash_table_foreach_remove (last_seen, forget_old_cb, &cutoff_us);
        }
      post_frame (worker->channel, worker->generation, frame);
    }

  source_close (worker->source);
  worker_free (worker);
  return NULL;
}

static void
join_worker (TillCameraScanner *self)
{
  if (self->worker == NULL)
    return;
  g_atomic_int_set (&self->stopping, 1);
  g_thread_join (g_steal_pointer (&self->worker));
  g_atomic_int_set (&self->stopping, 0);
  self->generation++;
}

static void
till_camera_scanner_dispose (GObject *object)
{
  TillCameraScanner *self = TILL_CAMERA_SCANNER (object);

  join_worker (self);
  if (self->channel != NULL)
    {
      self->channel->owner = NULL;
      g_clear_pointer (&self->channel, channel_unref);
    }

  G_OBJECT_CLASS (till_camera_scanner_parent_class)->dispose (object);
}

static void
till_camera_scanner_finalize (GObject *object)
{
  TillCameraScanner *self = TILL_CAMERA_SCANNER (object);

  g_clear_pointer (&self->source, till_camera_source_unref);
  g_free (self->error_message);

  G_OBJECT_CLASS (till_camera_scanner_parent_class)->finalize (object);
}

static void
till_camera_scanner_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillCameraScanner *self = TILL_CAMERA_SCANNER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_camera_scanner_class_init (TillCameraScannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = till_camera_scanner_dispose;
  object_class->finalize = till_camera_scanner_finalize;
  object_class->get_property = till_camera_scanner_get_property;

  properties[PROP_STATE] =
      g_param_spec_enum ("state", NULL, NULL, TILL_TYPE_CAMERA_STATE, TILL_CAMERA_STATE_STOPPED,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR_MESSAGE] =
      g_param_spec_string ("error-message", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CODE_SCANNED] =
      g_signal_new ("code-scanned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_FRAME] = g_signal_new ("frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, TILL_TYPE_CAMERA_FRAME);
}

static void
till_camera_scanner_init (TillCameraScanner *self)
{
  self->channel = channel_new (self);
  self->duplicate_window_ms = TILL_CAMERA_DEFAULT_DUPLICATE_WINDOW_MS;
  self->state = TILL_CAMERA_STATE_STOPPED;
}

/**
 * till_camera_scanner_new:
 * @source: where frames come from (a reference is taken)
 * @symbologies: what to decode; TILL_QR_SYMBOLOGY_DEFAULT reads QR codes only
 *
 * Returns: (transfer full): a stopped scanner; signals go to the calling
 * thread's thread-default main context
 */
TillCameraScanner *
till_camera_scanner_new (TillCameraSource *source, TillQrSymbology symbologies)
{
  TillCameraScanner *self;

  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (symbologies != 0, NULL);

  self = g_object_new (TILL_TYPE_CAMERA_SCANNER, NULL);
  self->source = till_camera_source_ref (source);
  self->symbologies = symbologies;
  return self;
}

/* Returns: (transfer none): the frame source */
TillCameraSource *
till_camera_scanner_get_source (TillCameraScanner *self)
{
  g_return_val_if_fail (TILL_IS_CAMERA_SCANNER (self), NULL);
  return self->source;
}

/**
 * till_camera_scanner_set_duplicate_window_ms:
 * How long a code must be out of view before it counts again; takes effect on
 * the next frame, also while running.
 */
void
till_camera_scanner_set_duplicate_window_ms (TillCameraScanner *self, guint window_ms)
{
  g_return_if_fail (TILL_IS_CAMERA_SCANNER (self));
  g_atomic_int_set (&self->duplicate_window_ms, (gint) MIN (window_ms, G_MAXINT));
}

/**
 * till_camera_scanner_start:
 * Starts reading frames in a worker thread: the state goes to STARTING, then
 * RUNNING, or NO_CAMERA when the camera cannot be opened.
 */
void
till_camera_scanner_start (TillCameraScanner *self)
{
  Worker *worker;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (TILL_IS_CAMERA_SCANNER (self));

  if (self->worker != NULL && self->state != TILL_CAMERA_STATE_NO_CAMERA &&
      self->state != TILL_CAMERA_STATE_UNPLUGGED)
    return;
  join_worker (self); /* a worker that gave up has returned already */

  worker = g_new0 (Worker, 1);
  worker->self = self;
  worker->channel = channel_ref (self->channel);
  worker->source = till_camera_source_ref (self->source);
  worker->symbologies = self->symbologies;
  worker->generation = self->generation;
  set_state (self, TILL_CAMERA_STATE_STARTING, NULL);
  self->worker = g_thread_try_new ("till-camera", worker_thread, worker, &error);
  if (self->worker == NULL)
    {
      worker_free (worker);
      set_state (self, TILL_CAMERA_STATE_NO_CAMERA, error->message);
    }
}

/**
 * till_camera_scanner_stop:
 * Stops reading frames and waits for the worker (at most one frame wait,
 * about 100 ms); the state goes to STOPPED.
 */
void
till_camera_scanner_stop (TillCameraScanner *self)
{
  g_return_if_fail (TILL_IS_CAMERA_SCANNER (self));

  join_worker (self);
  set_state (self, TILL_CAMERA_STATE_STOPPED, NULL);
}

TillCameraState
till_camera_scanner_get_state (TillCameraScanner *self)
{
  g_return_val_if_fail (TILL_IS_CAMERA_SCANNER (self), TILL_CAMERA_STATE_STOPPED);
  return self->state;
}

const char *
till_camera_scanner_get_error_message (TillCameraScanner *self)
{
  g_return_val_if_fail (TILL_IS_CAMERA_SCANNER (self), NULL);
  return self->error_message;
}
