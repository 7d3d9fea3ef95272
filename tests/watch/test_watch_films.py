"""The films' state machine, with made-up sizes and times: no files, no event loop."""

from __future__ import annotations

from pathlib import Path

from vcp.watch import FileStat, Films, FilmState, RetryPolicy

A, B = Path("/films/a.mkv"), Path("/films/b.mkv")
SMALL, BIG = FileStat(100, 1), FileStat(200, 2)


def settled(films: Films, path: Path, stat: FileStat, now: float) -> list[Path]:
    films.seen(path, stat, now)
    return films.tick({path: stat}, now + films.settle_seconds)


def test_a_film_is_queued_only_once_its_size_and_time_stay_the_same() -> None:
    films = Films(settle_seconds=10)
    films.seen(A, SMALL, 0)
    assert films.tick({A: BIG}, 10) == []  # it grew: wait again from now
    assert films.tick({A: BIG}, 19) == []
    assert films.next_wake(19) == 20
    assert films.tick({A: BIG}, 20) == [A]
    film = films.take(20)
    assert film is not None and film.path == A and film.stat == BIG
    assert films.take(20) is None


def test_films_are_taken_in_the_order_they_settled() -> None:
    films = Films(settle_seconds=1)
    films.seen(B, SMALL, 0)
    films.seen(A, SMALL, 0.5)
    assert films.tick({A: SMALL, B: SMALL}, 1.0) == [B]
    assert films.tick({A: SMALL, B: SMALL}, 1.5) == [A]
    assert [films.take(2).path, films.take(2).path] == [B, A]  # type: ignore[union-attr]


def test_a_failed_film_is_retried_after_each_delay_then_given_up_until_it_changes() -> None:
    films = Films(settle_seconds=1, retry=RetryPolicy((60, 300)))
    settled(films, A, SMALL, 0)
    films.take(1)
    first = films.failed(A, "not a film", 1)
    assert first is not None and (first.failures, first.retry_at) == (1, 61)
    assert films.tick({}, 60) == [] and films.tick({}, 61) == [A]
    films.take(61)
    assert films.failed(A, "not a film", 62).retry_at == 362  # type: ignore[union-attr]
    assert films.tick({}, 362) == [A]
    films.take(362)
    given_up = films.failed(A, "not a film", 363)
    assert given_up is not None and (given_up.failures, given_up.retry_at) == (3, None)
    assert films.tick({}, 10_000) == [] and films.next_wake(10_000) is None
    assert films.seen(A, SMALL, 10_000) is False  # the same file: still given up
    assert films.seen(A, BIG, 10_000) is True  # a new copy: settles, failures forgotten
    assert films.tick({A: BIG}, 10_001) == [A]
    assert films.take(10_001).failures == 0  # type: ignore[union-attr]


def test_a_film_changed_while_analysed_settles_again_and_a_deleted_one_is_forgotten() -> None:
    films = Films(settle_seconds=1)
    settled(films, A, SMALL, 0)
    settled(films, B, SMALL, 0)
    films.take(1), films.take(1)
    assert films.seen(A, BIG, 2) is False  # noted, the run goes on
    assert films.gone(B) is True
    assert films.finished(A, 3) is FilmState.SETTLING
    assert films.finished(B, 3) is None
    assert [f.path for f in films] == [A]
    assert films.tick({A: BIG}, 3.5) == []  # its new size counts from now
    assert films.tick({A: BIG}, 4.5) == [A]


def test_a_done_film_touched_without_change_stays_done() -> None:
    films = Films(settle_seconds=1)
    films.current(A, SMALL, 0)
    assert films.seen(A, SMALL, 5) is False
    assert films.get(A).state is FilmState.DONE  # type: ignore[union-attr]
    assert films.gone(A) and films.get(A) is None
