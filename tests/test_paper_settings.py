"""The paper scale (config/paper.yaml: each experiment folder's config.yaml ``paper:`` section)
keeps every setting that PAPERS.md marks (code), i.e. read in the authors' public code, exactly;
this table is the record of those settings and where they were read."""

import math

import numpy as np
import pytest

from .conftest import load_config

# experiment id -> {dotted config path: the authors' value}; each entry names its source.
CODE_SETTINGS: dict[str, dict[str, object]] = {
    # lecture notes fig. 1.6; NB = xuzhiqin1990/understanding_dl code/frequency_principle/fprinciple.ipynb
    # (same cells in dnn_simple_experiments "frequency principle/fprinciple.ipynb")
    "fp1d_equal_amp": {
        "target.frequencies": [1, 3, 5],  # NB get_y: np.sin(x)+np.sin(3*x)+np.sin(5*x)
        "target.amplitudes": [1.0, 1.0, 1.0],  # NB get_y: equal amplitudes
        "grid.n": 101,  # NB --training_size default=101
        "grid.low": -3.1415,  # NB --boundary default=['-3.1415', '3.1415'], torch.linspace
        "grid.high": 3.1415,  # NB --boundary
        "model.hidden": [200, 200, 200, 100],  # NB --hidden_layers_width default=[200,200,200,100]
        "model.activation": "tanh",  # NB --act_func_name default='tanh'
        "model.bias": True,  # NB printed structure: Linear(..., bias=True)
        "model.init": "normal",  # NB Model: nn.init.normal_ on every weight and every bias
        "model.init_std": 200**-0.5,  # NB 1 / hidden_layers_width[0]**t, --t default=0.5
        "optimizer.name": "adam",  # NB torch.optim.Adam(model.parameters(), lr=args.lr)
        "optimizer.lr": 2e-4,  # NB --lr default=2e-4
        "optimizer.batch_size": None,  # NB --batch_size default=101 = training_size: full batch
        "steps": 1001,  # NB for epoch in range(args.epochs+1), --epochs default=1000: 1001 updates
        "log_every": 1,  # NB Training Process: output recorded after every update
        "spectrum.max_freq": 40,  # NB my_fft freq_len=40
        "spectrum.n_peaks": 3,  # NB plot_freq_distr: idx1 = idx[:3]
        "spectrum.delta_form": "magnitude",  # NB plot_freq_distr: np.abs(tmp1 - tmp2)/(1e-5 + tmp1), both |FFT|
        "spectrum.threshold": 0.1,  # NB plt.pcolor(..., vmin=0.1, vmax=1); exercise threshold 0.1
        "spectrum.window": 10,  # NB find_consecutive_index: 10 consecutive epochs below the threshold
    },
    # lecture notes fig. 1.3: the lecture notes fig. 1.6 net and its initialisation (NB above), reused; target as in
    # F-Principle main_clean20190924.py (y_sin = np.sin(xx)+np.sin(5*xx)); metrics as NB
    "fp1d_snapshots": {
        "target.frequencies": [1, 5],  # main_clean20190924.py func_to_approx
        "model.hidden": [200, 200, 200, 100],  # NB --hidden_layers_width
        "model.activation": "tanh",  # NB --act_func_name
        "model.init": "normal",  # NB Model: nn.init.normal_ on every weight and bias
        "model.init_std": 200**-0.5,  # NB 1 / 200**0.5
        "optimizer.name": "adam",  # NB and main_clean20190924.py (tf.train.AdamOptimizer)
        "spectrum.max_freq": 40,  # NB freq_len=40; main_clean20190924.py ComputeStepFFT=40
        "spectrum.delta_form": "magnitude",  # NB plot_freq_distr
        "spectrum.threshold": 0.1,  # NB vmin=0.1; main_clean20190924.py z_min=0.1
        "spectrum.window": 10,  # NB find_consecutive_index
    },
    # lecture notes figs. 1.4–1.5: the lecture notes fig. 1.6 net, initialisation and optimizer (NB), reused; metrics as NB
    # (the staircase itself is not in code: sin_div = 0 in every stored script)
    "fp1d_step": {
        "model.hidden": [200, 200, 200, 100],  # NB --hidden_layers_width
        "model.activation": "tanh",  # NB --act_func_name
        "model.init": "normal",  # NB Model: nn.init.normal_
        "model.init_std": 200**-0.5,  # NB 1 / 200**0.5
        "optimizer.name": "adam",  # NB torch.optim.Adam
        "optimizer.lr": 2e-4,  # NB --lr
        "spectrum.max_freq": 40,  # NB freq_len=40
        "spectrum.delta_form": "magnitude",  # NB plot_freq_distr
        "spectrum.threshold": 0.1,  # NB vmin=0.1
        "spectrum.window": 10,  # NB find_consecutive_index
    },
    # XZX18: no authors' code for the robustness grid; its Adam cells are NB's setting, the
    # metrics and the one log per epoch follow NB
    "fp1d_robustness": {
        "grid.n": 101,  # NB --training_size
        "grid.low": -3.1415,  # NB --boundary
        "grid.high": 3.1415,  # NB --boundary
        "optimizers.adam.lr": 2e-4,  # NB --lr default=2e-4, torch.optim.Adam
        "optimizers.adam.model.init": "normal",  # NB Model: nn.init.normal_ on every weight and bias
        "optimizers.adam.model.init_std": 200**-0.5,  # NB 1 / hidden_layers_width[0]**0.5, model.width 200
        "optimizers.adam.log_every": 1,  # NB Training Process: one record per epoch = one full-batch update
        "optimizers.gd.log_every": 1,  # NB: one record per epoch (full batch: one update)
        "optimizers.sgd.log_every": 101 // 32,  # NB train_one_step: training_size // batch_size updates an epoch
        "spectrum.max_freq": 40,  # NB freq_len=40
        "spectrum.delta_form": "magnitude",  # NB plot_freq_distr
        "spectrum.threshold": 0.1,  # NB vmin=0.1
        "spectrum.window": 10,  # NB find_consecutive_index
    },
    # X18 (lecture notes fig. 1.7): no authors' code for this figure (searched F-Principle,
    # understanding_dl, dnn_simple_experiments; understanding_dl A4_4 cat_fitting.ipynb is another
    # figure). The claims' convergence bars carry over from the lecture notes fig. 1.6 notebook (NB above):
    "fp_image": {
        "claims.window": 10,  # NB find_consecutive_index: 10 consecutive epochs below the threshold
        "claims.final_error_max": 0.1,  # NB plt.pcolor(..., vmin=0.1, vmax=1); exercise threshold 0.1
    },
    # BJKK19; R = ykasten/Convergence-Rate-NN-Different-Frequencies (read in the stored copy)
    # R Shallow/NoBias_1D, Shallow/WithBias_1D (MATLAB)
    "basri_shallow_1d": {
        "points.n": 1001,  # optimize.m l.4: n=1001
        "points.kind": "uniform",  # optimize.m l.7: theta=rand(1,n)*2*pi-pi
        "width": 4000,  # optimize.m l.3: m=4000
        "symmetric_init": False,  # optimize.m: w=randn(2,m), a=sign(randn): random, unpaired units
        "nets.no_bias.bias": False,  # NoBias_1D forwardAr.m: ReLU(x'W) a / sqrt(m), no b
        "nets.no_bias.weight_std": 1.0,  # NoBias optimize.m l.5-6: stdval=1; w=randn(2,m)*stdval
        "nets.no_bias.cap": 1800,  # NoBias optimize.m l.16: iters=1800
        "nets.bias.bias": True,  # WithBias optimize.m l.12: b=zeros(m,1); trainAr.m: b=b-LR*dl_db'
        "nets.bias.weight_std": 2.5,  # WithBias optimize.m l.5-6: std_chosen=2.5
        "nets.bias.cap": 50000,  # WithBias optimize.m l.21: iters=50000
        "lr": 0.01,  # optimize.m l.17/22: LR=0.01 (both nets)
        "loss": "half_sse",  # lossAr.m l.5: 0.5*sum((shouldys-ys).^2)
        "loss_threshold": 0.05,  # trainAr.m l.25: converged=losses(i)<0.05
        "k_max": 30,  # runOneSession.m: k=floor((num-1)/30)+1, runMultiple.m: num=1..900
        "seeds": list(range(30)),  # runOneSession.m: numIters=30 runs per k
        "claims.k_min": 8,  # readAndPlot.m: slope fitted from mink=8
    },
    # R Shallow/NoBias_2D, Shallow/WithBias_2D (MATLAB)
    "basri_shallow_2d": {
        "points.n": 1001,  # optimize2D.m l.3: n=1001
        "points.kind": "uniform",  # optimize2D.m l.7-8: xs=randn(3,n) normalised to the sphere
        "width": 16000,  # optimize2D.m l.2: m=16000
        "symmetric_init": False,  # optimize2D.m: random, unpaired units
        "nets.no_bias.weight_std": 1.0,  # NoBias optimize2D.m l.4-5: stdChosen=1
        "nets.no_bias.cap": 40000,  # NoBias optimize2D.m l.19: iters=40000
        "nets.bias.weight_std": 1.0,  # WithBias optimize2D.m l.5-6: stdval=1.0 (not the 1-D 2.5)
        "nets.bias.cap": 100000,  # WithBias optimize2D.m l.22: iters=100000
        "lr": 0.01,  # optimize2D.m: LR=0.01
        "loss": "half_sse",  # lossAr.m: 0.5*sum(...)
        "loss_threshold": 0.05,  # trainAr.m: converged=losses(i)<0.05
        "k_max": 30,  # runOneSession.m: k = 1..30
        "seeds": list(range(20)),  # runOneSession.m: numIters=20 runs per k (runMultiple.m: 1..600)
        "claims.k_min": 8,  # fitEvenFormula3D.m: c fitted for k >= 8
    },
    # R Deep/deep5_1D (plain: PyTorch, MSE regression) and Deep/crossRes10_1D (residual: "CR", the same
    # code with 10 layers, 2 logits and cross-entropy on the sign of sin(k(θ + φ)), readAndPlot.m the same fit)
    "basri_deep": {
        "points.n": 1001,  # config.py l.6-7: n_train 1001
        "points.kind": "uniform",  # gen_data.py gen_x_arora: theta = rn.uniform(-np.pi, np.pi, n)
        "nets.plain.hidden": [256, 256, 256, 256, 256],  # config.py l.11-12: 5 hidden layers of 256
        "nets.plain.cap": 100000,  # config.py: n_epochs_max 100000
        "nets.residual.hidden": [256] * 10,  # CR config.py: 'n_hidden' 10, 'n_units' 256
        "nets.residual.residual": True,  # CR mainTrain.py Net.forward: x = relu(hidden[i](x)) + x for i > 0
        "nets.residual.task": "classification",  # CR gen_data.py: y[y>0]=1, y[y<0]=0; Net out_size=2
        "nets.residual.margin": 2 / 3,  # CR gen_data.py: relevant = abs(y) > (2 / 3)
        "nets.residual.loss": "cross_entropy",  # CR mainTrain.py: criterion = nn.CrossEntropyLoss()
        "nets.residual.relative_threshold": False,  # CR mainTrain.py: if train_loss[epoch-1] < 0.05 (absolute)
        "nets.residual.cap": 100000,  # CR config.py: 'n_epochs' 100000
        "lr": 0.05,  # config.py l.15: 'eta' 0.05, optim.SGD (CR the same)
        "loss": "mse",  # mainTrain.py: criterion = nn.MSELoss()
        "loss_threshold": 0.05,  # mainTrain.py: train_loss / zero_val_loss < stop_threshold_percent / 100 (5)
        "relative_threshold": True,  # mainTrain.py: zero_val_loss = train sum(y^2)/n
        "k_max": 30,  # mainTrain.py: max_k = 30
        "seeds": list(range(20)),  # mainTrain.py: iters = 20 runs per k (unseeded there; CR the same)
        "claims.k_min": 8,  # readAndPlot.m (both): polyfit of log(nanmean iters) on log k, k = 8..30
    },
    # R Superposition/main.ipynb ('gen_x_func': 'gen_x_circle_regular', Missing_Data/gen_data.py)
    "basri_superposition": {
        "points": 1001,  # gen_x_circle_regular: theta = np.linspace(-np.pi, np.pi, n+1)[:-1], n = 1001
        "frequencies": [4, 14],  # 'ks' : [4, 14]
        "model.hidden": [256, 256, 256],  # 'n_hidden' : 3, 'n_units' : 256
        "lr": 1.0e-3,  # 'eta' : .001
        "steps": 100000,  # 'n_epochs_max' : 100000
        "loss_threshold": 0.01,  # 'stop_threshold_percent' : 1, compared with / 100
        "snapshot_steps": [0, 50, 500],  # results = sim(cfg, [0,50,500])
    },
    # R Missing_Data/mainAndPlot.py, gen_data.py
    "basri_missing_data": {
        "points": 32,  # 'n_train' 32: two arcs of n // 2 = 16 (gen_x_circle_holes_)
        "gap_half_width": 1.3089969389957472,  # theta0 = -np.pi + 2*np.pi*np.linspace(0, 7/24, n//2): up to -5π/12
        "frequency": 6,  # 'ks' : [6], 'gen_y_func' : 'gen_y_fourier', 'add_phase' : False
        "model.hidden": [4000],  # 'n_hidden' : 1, 'n_units' : 4000
        "hidden_bias.1": "zeros",  # 'hidden_bias' : 'zeros' (the other variant, normal, is ours)
        "lr": 1.0e-4,  # 'eta' : 0.0001
        "steps": 300000,  # 'n_epochs_max' : 300000
        "relative_loss_threshold": 1.0e-6,  # 'stop_threshold_percent' : .0001, compared with / 100
    },
    # R Asymptotics/mainAndPlot.py
    "basri_asymptotics": {
        "dims.min": 2,  # ds = np.arange(2, max_d+1, 2)
        "dims.max": 100,  # max_d = 100
        "dims.step": 2,  # ds = np.arange(2, max_d+1, 2): even d only
        "degrees.min": 800,  # min_k = 800
        "degrees.max": 1000,  # max_k = 1000
        "degrees.step": 1,  # ks = np.arange(min_k, max_k+1, 1)
    },
    # XZLXM19 parity; P = xuzhiqin1990/understanding_dl "code/fig source/A4/A4_13/parity/parity_torch.py"
    "fp_parity": {
        "dim": 10,  # P: n = 10
        "n_train": 200,  # P: s = 200; xs = 2 * (np.random.rand(n, s) < 0.5) - 1 (with repeats)
        "model.hidden": [500, 100],  # P: R_variable['hidden_units'] = [500, 100]
        "model.activation": "tanh",  # P: R_variable['ActFuc'] = 1
        "model.init": "normal",  # P: nn.init.normal_(layer.weight, 0, astddev), nn.init.normal_(layer.bias, 0, bstddev)
        "model.init_std": 0.05,  # P: astddev = bstddev = 0.05
        "optimizer.name": "adam",  # P: torch.optim.Adam(model.parameters(), lr=R_variable['learning_rate'])
        "optimizer.lr": 5.0e-4,  # P: R_variable['learning_rate'] = 5e-4 (full batch, nn.MSELoss())
        "steps": 1001,  # P: range(R_variable['Total_Step']), Total_Step = 1001
        "spectrum.max": math.pi / 2,  # P: k = np.linspace(0, np.pi/2, num=k_num, endpoint=True)
        "spectrum.n": 100,  # P: k_num = 100
    },
    # lecture notes fig. 1.12; F = xuzhiqin1990/F-Principle filter_gd.py (TF2/Keras, CIFAR-10 CNN only:
    # the DNN, VGG-16 and every MNIST run have no authors' code)
    "fp_filter": {
        "datasets.1.data.dataset": "cifar10",  # F: tf.keras.datasets.cifar10
        "datasets.1.data.n_train": 5000,  # F: "train_size": 5000, np.random.choice(50000, 5000, replace=False)
        "datasets.1.deltas": np.linspace(
            2, 100, 20
        ).tolist(),  # F: "filter_start": 2, "filter_end": 100, "filter_num": 20
        "nets.cnn.model.kind": "cnn",  # F: Conv2D(32, 3) → ReLU → Conv2D(64, 3) → ReLU → MaxPool2D(2) → Dense(400) → ReLU → Dense(10)
        "nets.cnn.model.channels": [32, 64],  # F: Conv2D(32, 3), Conv2D(64, 3)
        "nets.cnn.model.dense": 400,  # F: Dense(400)
        "nets.cnn.model.activation": "relu",  # F: ReLU after every hidden layer
        "nets.cnn.optimizer.name": "sgd",  # F: tf.keras.optimizers.SGD(lr=config.lr, decay=1e-6, momentum=0.9, nesterov=True)
        "nets.cnn.optimizer.lr": 1.0e-3,  # F: "lr": 1e-3
        "nets.cnn.optimizer.momentum": 0.9,  # F: momentum=0.9
        "nets.cnn.optimizer.nesterov": True,  # F: nesterov=True
        "nets.cnn.optimizer.batch_size": 50,  # F: "batch_size": 50
        "nets.cnn.epochs": 100,  # F: "epochs": 100
        "log_every": 1,  # F: e_low, e_high computed after every epoch
    },
    # BJKK19 fig. 1, left; M = ykasten/Convergence-Rate-NN-Different-Frequencies MNIST/cfg.py, optimize.py (TF1)
    "basri_label_noise": {
        "data.dataset": "mnist",  # M: input_data.read_data_sets(data_path, ...)
        "n_val": 5000,  # M cfg.py: 'n_val' : 5000 (validation_size = n_val)
        "noise": 0.5,  # M cfg.py: 'pi' : 50 (percent of train and validation labels permuted)
        "net.hidden": [256, 256, 256],  # M cfg.py l.9-11: three hidden layers of 256
        "net.activation": "relu",  # M: leaky ReLU with alpha 0
        "authors_init": True,  # M: tf.random_normal(..., stddev=.01); biases tf.random_uniform([k], -1, 1); out = tf.matmul(layer, w_out)
        "optimizer.name": "sgd",  # M: tf.train.GradientDescentOptimizer(eta)
        "optimizer.lr": 0.005,  # M cfg.py: 'eta' : 0.005
        "optimizer.batch_size": 100,  # M cfg.py: 'batch_size' : 100
    },
    # lecture notes fig. 1.10. P = xuzhiqin1990/understanding_dl, "code/fig source/A4/A4_16/
    # f-principle_nd_projection.ipynb" (CIFAR-10 only; the MNIST family is ours).
    "fp_projection": {
        "families.cifar10.data.dataset": "cifar10",  # P: datasets.CIFAR10(..., transform=ToTensor)
        "families.cifar10.data.n_train": 5000,  # P: '--training_size', default=5000
        "families.cifar10.data.subset_seed": None,  # P: Subset(train_dataset, range(args.training_size)): the first 5000
        "families.cifar10.net.kind": "cnn",  # P: My_CNN: Conv2d(3, 32, 3) → Conv2d(32, 64, 3) → MaxPool2d(2) → Linear(·, 400) → Linear(400, 10) → Softmax
        "families.cifar10.net.channels": [32, 64],
        "families.cifar10.net.dense": 400,
        "families.cifar10.net.activation": "tanh",  # P: '--act_func_name', default='Tanh'
        "families.cifar10.net.init": "xavier_uniform",  # P: nn.init.xavier_uniform_(obj.weight.data)
        "families.cifar10.optimizer.name": "adam",  # P: '--optimizer', default='adam'
        "families.cifar10.optimizer.lr": 1.0e-4,  # P: '--lr', default=1e-4
        "families.cifar10.optimizer.batch_size": 50,  # P: '--training_batch_size', default=50
        "families.cifar10.epochs": 100,  # P: '--epochs', default=100
        "families.cifar10.freqs.max": 0.35,  # P: np.linspace(0, 0.35, 100)
        "families.cifar10.freqs.n": 100,
        "families.cifar10.classes": [8],  # P: train_labels[:, 8]
        "families.cifar10.n_peaks": 3,  # P: heat map of relative_error_lst.T[[0, 1, 2]]: the first 3 peaks
        "spectrum.centre_labels": False,  # P: np.sum(train_labels[:, 8] * exp(...)) / 5000: not centred
        "spectrum.delta_form": "complex",  # P: |Σ (pred − target)[:, 8] e^(..)| / |Σ target[:, 8] e^(..)|
    },
    # X18: no authors' code found, so no (code) setting to keep
    "fp_init_scale": {},
}


def _get(cfg: dict, path: str):
    for part in path.split("."):
        cfg = cfg[int(part)] if isinstance(cfg, list) else cfg[part]
    return cfg


@pytest.mark.parametrize(
    "experiment,path,value",
    [(experiment, path, value) for experiment, settings in CODE_SETTINGS.items() for path, value in settings.items()],
)
def test_paper_config_has_the_authors_setting(experiment, path, value):
    actual = _get(load_config("paper.yaml")["experiments"][experiment], path)
    assert actual == pytest.approx(value) if isinstance(value, float) else actual == value, (experiment, path)
