"""The tutorial's convolution loop and kernels, copied verbatim as a test reference.

Only the import line was split (one import per line) to satisfy the linter.
"""

import cv2
import numpy as np
from skimage.exposure import rescale_intensity


def tutorial_convolve(image, kernel):
    (iH, iW) = image.shape[:2]
    (kH, kW) = kernel.shape[:2]
    pad = (kW - 1) // 2
    image = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    output = np.zeros((iH, iW), dtype="float32")
    for y in np.arange(pad, iH + pad):
        for x in np.arange(pad, iW + pad):
            roi = image[y - pad : y + pad + 1, x - pad : x + pad + 1]
            k = (roi * kernel).sum()
            output[y - pad, x - pad] = k
    output = rescale_intensity(output, in_range=(0, 255))
    output = (output * 255).astype("uint8")
    return output


smallBlur = np.ones((7, 7), dtype="float") * (1.0 / (7 * 7))
largeBlur = np.ones((21, 21), dtype="float") * (1.0 / (21 * 21))
sharpen = np.array(([0, -1, 0], [-1, 5, -1], [0, -1, 0]), dtype="int")
laplacian = np.array(([0, 1, 0], [1, -4, 1], [0, 1, 0]), dtype="int")
sobelX = np.array(([-1, 0, 1], [-2, 0, 2], [-1, 0, 1]), dtype="int")
sobelY = np.array(([-1, -2, -1], [0, 0, 0], [1, 2, 1]), dtype="int")

# Bank name -> the tutorial's own kernel array, in the tutorial's order.
TUTORIAL_KERNELS = {
    "small_blur": smallBlur,
    "large_blur": largeBlur,
    "sharpen": sharpen,
    "laplacian": laplacian,
    "sobel_x": sobelX,
    "sobel_y": sobelY,
}
