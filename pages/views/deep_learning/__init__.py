"""The deep-learning page's views, one module per part of the page: the sliding window and what
an input cell feeds (``window``), colour channels and the rest of a layer (``layer``), the
layer drawn as volumes (``volumes``), learning a kernel (``learning``), predicting the size
and a sum first (``predict``), one layer in four forms (``forms``), the receptive field of a
stack (``receptive``), transposed convolution (``transposed``), 1-D and causal convolution
(``signal``), a trained network (``network``); ``common`` holds what they share."""

from pages.views.deep_learning.forms import layer_forms
from pages.views.deep_learning.layer import (
    bias_and_relu,
    channel_choice,
    channels,
    layer_rest,
    layer_volumes,
    pool_settings,
)
from pages.views.deep_learning.learning import descent, descent_settings, least_squares
from pages.views.deep_learning.network import digit_network
from pages.views.deep_learning.predict import size_question
from pages.views.deep_learning.receptive import receptive_fields
from pages.views.deep_learning.signal import signal_section
from pages.views.deep_learning.transposed import transposed_section
from pages.views.deep_learning.window import (
    geometry_facts,
    input_cell,
    layer_knobs,
    reach,
    stepper,
    window_input,
)

__all__ = [
    "bias_and_relu", "channel_choice", "channels", "descent", "descent_settings", "digit_network",
    "geometry_facts", "input_cell", "layer_forms", "layer_knobs", "layer_rest", "layer_volumes",
    "least_squares", "pool_settings", "reach", "receptive_fields", "signal_section",
    "size_question", "stepper", "transposed_section", "window_input",
]
