// Voice notes (noise at night, a talk with the property company) are
// recorded as AAC in an MPEG-4 container (.m4a), a format the core accepts
// and every coordinator's computer plays. This wraps MediaRecorder's state
// machine so the screen only says start, stop or discard.
package org.siteproof.app.capture

import android.content.Context
import android.media.MediaRecorder
import android.os.Build
import java.io.File

class VoiceRecorder(private val context: Context) {
    private var recorder: MediaRecorder? = null
    private var output: File? = null

    val isRecording: Boolean get() = recorder != null

    /** Starts recording into a new private .m4a file. */
    fun start(): File {
        check(recorder == null) { "already recording" }
        val file = newCaptureFile(context, "m4a")
        val r = if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) MediaRecorder(context) else @Suppress("DEPRECATION") MediaRecorder()
        try {
            r.setAudioSource(MediaRecorder.AudioSource.MIC)
            r.setOutputFormat(MediaRecorder.OutputFormat.MPEG_4)
            r.setAudioEncoder(MediaRecorder.AudioEncoder.AAC)
            r.setAudioSamplingRate(SAMPLE_RATE_HZ)
            r.setAudioEncodingBitRate(BIT_RATE)
            r.setOutputFile(file.absolutePath)
            r.prepare()
            r.start()
        } catch (e: Exception) {
            r.release()
            file.delete()
            throw e
        }
        recorder = r
        output = file
        return file
    }

    /** Stops and returns the finished file (the MPEG-4 index is written on stop). */
    fun stop(): File {
        val r = checkNotNull(recorder) { "not recording" }
        val file = checkNotNull(output)
        recorder = null
        output = null
        try {
            r.stop()
        } catch (e: RuntimeException) {
            // stop() throws when nothing was recorded (stopped at once): there is no usable file.
            file.delete()
            throw e
        } finally {
            r.release()
        }
        return file
    }

    /** Ends a recording without keeping it (screen left mid-recording). */
    fun discard() {
        val r = recorder ?: return
        recorder = null
        runCatching { r.stop() }
        r.release()
        output?.delete()
        output = null
    }

    /** Loudness since the last call, 0..32767, for the level meter. */
    fun amplitude(): Int = recorder?.maxAmplitude ?: 0

    private companion object {
        const val SAMPLE_RATE_HZ = 44_100
        const val BIT_RATE = 96_000
    }
}
