"""measure_compute counts every torch optimizer's steps and the parameters they train."""

import torch

from paradigms._common.compute import measure_compute


def _train(network: torch.nn.Module, steps: int) -> None:
    trainable = [p for p in network.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=1e-3)
    for _ in range(steps):
        optimizer.zero_grad()
        network(torch.ones(4, 3)).sum().backward()
        optimizer.step()


def test_counts_steps_networks_and_trainable_parameters():
    small, large = torch.nn.Linear(3, 2), torch.nn.Sequential(torch.nn.Linear(3, 50))
    frozen = torch.nn.Sequential(torch.nn.Linear(3, 50), torch.nn.Linear(50, 1))
    frozen[0].requires_grad_(False)
    with measure_compute() as cost:
        _train(small, 5)
        _train(large, 3)
        _train(frozen, 2)
    assert cost.optimizer_steps == 10
    assert cost.parameters_per_network == [3 * 2 + 2, 3 * 50 + 50, 50 + 1]
    assert cost.networks == 3 and cost.parameters == 200
    assert cost.seconds > 0


def test_blocks_nest_and_stop_counting_when_they_end():
    network = torch.nn.Linear(3, 1)
    with measure_compute() as outer:
        _train(network, 2)
        with measure_compute() as inner:
            _train(network, 3)
    _train(network, 4)  # outside every block
    assert (inner.optimizer_steps, outer.optimizer_steps) == (3, 5)
    assert outer.seconds >= inner.seconds


def test_nothing_trained_costs_no_steps():
    with measure_compute() as cost:
        torch.nn.Linear(3, 1)(torch.ones(1, 3))
    assert (cost.optimizer_steps, cost.networks, cost.parameters) == (0, 0, 0)
