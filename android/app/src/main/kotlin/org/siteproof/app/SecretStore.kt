// The store's sealing secret. The core seals the device's signing key and
// server token with 32 secret bytes; on a phone those bytes must never be
// readable from a copy of the app's files. So they are random, wrapped with an
// AES-GCM key that lives in the Android Keystore (non-exportable, hardware-
// backed where the phone has it), and only the wrapped form is saved.
package org.siteproof.app

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import java.io.File
import java.io.FileOutputStream
import java.nio.ByteBuffer
import java.security.KeyStore
import java.security.SecureRandom
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

class SecretStore(context: Context) {
    private val sealedFile = File(context.filesDir, "device.secret.sealed")

    /** The 32-byte secret; made and saved on first start. Blocking (Keystore work): call off the main thread. */
    fun loadOrCreate(): ByteArray {
        val key = keystoreKey()
        if (sealedFile.exists()) {
            return unwrap(key, sealedFile.readBytes())
        }
        val secret = ByteArray(SECRET_BYTES).also { SecureRandom().nextBytes(it) }
        writeDurably(wrap(key, secret))
        return secret
    }

    private fun keystoreKey(): SecretKey {
        val keyStore = KeyStore.getInstance(KEYSTORE).apply { load(null) }
        (keyStore.getKey(KEY_ALIAS, null) as? SecretKey)?.let { return it }
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, KEYSTORE)
        generator.init(
            KeyGenParameterSpec.Builder(KEY_ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .setRandomizedEncryptionRequired(true)
                .build(),
        )
        return generator.generateKey()
    }

    /** Layout: version byte, IV length byte, IV, ciphertext with its GCM tag. */
    private fun wrap(key: SecretKey, secret: ByteArray): ByteArray {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, key) // the Keystore picks the IV; it must, with randomized encryption
        val iv = cipher.iv
        val sealed = cipher.doFinal(secret)
        return ByteBuffer.allocate(2 + iv.size + sealed.size)
            .put(FORMAT_VERSION).put(iv.size.toByte()).put(iv).put(sealed)
            .array()
    }

    private fun unwrap(key: SecretKey, bytes: ByteArray): ByteArray {
        check(bytes.size > 2 && bytes[0] == FORMAT_VERSION) { "sealed secret has an unknown format" }
        val ivLength = bytes[1].toInt()
        val iv = bytes.copyOfRange(2, 2 + ivLength)
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(TAG_BITS, iv))
        val secret = cipher.doFinal(bytes, 2 + ivLength, bytes.size - 2 - ivLength)
        check(secret.size == SECRET_BYTES) { "sealed secret has the wrong length" }
        return secret
    }

    /** Temp file, fsync, rename: a kill mid-write must not leave half a secret and lock the store forever. */
    private fun writeDurably(bytes: ByteArray) {
        val tmp = File(sealedFile.parentFile, sealedFile.name + ".tmp")
        FileOutputStream(tmp).use { out ->
            out.write(bytes)
            out.fd.sync()
        }
        check(tmp.renameTo(sealedFile)) { "could not save the sealed secret" }
    }

    private companion object {
        const val KEYSTORE = "AndroidKeyStore"
        const val KEY_ALIAS = "siteproof.store.wrapping"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val TAG_BITS = 128
        const val SECRET_BYTES = 32
        const val FORMAT_VERSION: Byte = 1
    }
}
