// CameraX's callback APIs as suspend functions, so the camera screen reads
// as one sequence: bind preview + capture, take a JPEG into a file.
package org.siteproof.app.capture

import android.content.Context
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageCapture
import androidx.camera.core.ImageCaptureException
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import androidx.core.content.ContextCompat
import androidx.lifecycle.LifecycleOwner
import java.io.File
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException
import kotlinx.coroutines.suspendCancellableCoroutine

/** The process camera provider, once CameraX has initialised. */
suspend fun cameraProvider(context: Context): ProcessCameraProvider = suspendCancellableCoroutine { cont ->
    val future = ProcessCameraProvider.getInstance(context)
    future.addListener(
        {
            runCatching { future.get() }.fold(
                onSuccess = { provider -> cont.resume(provider) },
                onFailure = { error -> cont.resumeWithException(error) },
            )
        },
        ContextCompat.getMainExecutor(context),
    )
}

/** Binds the back camera's preview and still capture to the screen's lifecycle. */
fun ProcessCameraProvider.bindBackCamera(owner: LifecycleOwner, previewView: PreviewView, imageCapture: ImageCapture) {
    val preview = Preview.Builder().build().also { it.setSurfaceProvider(previewView.surfaceProvider) }
    unbindAll()
    bindToLifecycle(owner, CameraSelector.DEFAULT_BACK_CAMERA, preview, imageCapture)
}

/** Takes one JPEG into `file`, exactly as the camera encoded it (EXIF included). */
suspend fun ImageCapture.takeJpeg(context: Context, file: File) {
    suspendCancellableCoroutine { cont ->
        takePicture(
            ImageCapture.OutputFileOptions.Builder(file).build(),
            ContextCompat.getMainExecutor(context),
            object : ImageCapture.OnImageSavedCallback {
                override fun onImageSaved(output: ImageCapture.OutputFileResults) = cont.resume(Unit)
                override fun onError(exception: ImageCaptureException) = cont.resumeWithException(exception)
            },
        )
    }
}
